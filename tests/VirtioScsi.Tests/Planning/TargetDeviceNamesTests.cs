using System;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>sdX names: the kernel's sequence, validation, and the lowest name no disk uses.</summary>
public class TargetDeviceNamesTests
{
    [Theory]
    [InlineData(0, "sda")]
    [InlineData(1, "sdb")]
    [InlineData(25, "sdz")]
    [InlineData(26, "sdaa")]
    [InlineData(27, "sdab")]
    [InlineData(51, "sdaz")]
    [InlineData(52, "sdba")]
    [InlineData(701, "sdzz")]
    [InlineData(702, "sdaaa")]
    [InlineData(18277, "sdzzz")]
    public void Names_follow_the_kernel_sequence(int index, string name)
    {
        Assert.Equal(name, TargetDeviceNames.FromIndex(index));
        Assert.Equal(index, TargetDeviceNames.ToIndex(name));
    }

    [Fact]
    public void Every_index_up_to_three_letters_round_trips_and_agrees_with_an_independent_count()
    {
        for (var i = 0; i <= 18277; i++)
        {
            var name = TargetDeviceNames.FromIndex(i);
            Assert.Equal(Dom.SdName(i), name);
            Assert.True(TargetDeviceNames.IsValid(name), name);
            Assert.Equal(i, TargetDeviceNames.ToIndex(name));
        }
    }

    [Fact]
    public void A_negative_index_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TargetDeviceNames.FromIndex(-1));

    [Theory]
    [InlineData("sda")]
    [InlineData("sdz")]
    [InlineData("sdaa")]
    [InlineData("sdzzz")]
    public void Valid_names(string name) => Assert.True(TargetDeviceNames.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData("sd")]
    [InlineData("sdaaaa")]
    [InlineData("SDA")]
    [InlineData("sdA")]
    [InlineData("sd1")]
    [InlineData("sda1")]
    [InlineData("vda")]
    [InlineData("hda")]
    [InlineData(" sda")]
    [InlineData("sda ")]
    [InlineData("sd-a")]
    public void Malformed_names_are_not_valid(string name)
    {
        Assert.False(TargetDeviceNames.IsValid(name));
        Assert.Equal(-1, TargetDeviceNames.ToIndex(name));
    }

    [Fact]
    public void Null_is_not_a_valid_name() => Assert.False(TargetDeviceNames.IsValid(null!));

    // Regression (bug found by this test, fixed in 0684024): the pattern "^sd[a-z]{1,3}$" let '$' match
    // before a final newline (a .NET regex rule), so "sdb\n" counted as a valid name.
    [Theory]
    [InlineData("sdb\n")]
    public void A_name_with_a_trailing_newline_is_not_valid(string name) =>
        Assert.False(TargetDeviceNames.IsValid(name));

    [Fact]
    public void The_lowest_free_name_of_a_domain_without_disks_is_sda() =>
        Assert.Equal("sda", TargetDeviceNames.LowestFree(new[] { Fixtures.Definition("none.live.xml") }));

    [Fact]
    public void The_lowest_free_name_follows_the_used_ones()
    {
        // virtio-only: sda, sdb.
        Assert.Equal("sdc", TargetDeviceNames.LowestFree(new[] { Fixtures.Definition("virtio-only.live.xml") }));
        // mixed: cdrom sda, LUN sdb.
        Assert.Equal("sdc", TargetDeviceNames.LowestFree(new[] { Fixtures.Definition("mixed.live.xml"), Fixtures.Definition("mixed.config.xml") }));
    }

    [Fact]
    public void A_gap_in_the_names_is_reused()
    {
        // many-luns: sda…sdoj except sdh.
        Assert.Equal("sdh", TargetDeviceNames.LowestFree(new[] { Fixtures.Definition("many-luns.config.xml") }));
    }

    [Fact]
    public void Names_used_in_either_definition_are_taken()
    {
        var live = Dom.Parse(Dom.Edit("none.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sda", 0, 0, 1))));
        var config = Dom.Parse(Dom.Edit("none.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdb", 0, 1, 2))));
        Assert.Equal("sdc", TargetDeviceNames.LowestFree(new[] { live, config }));
        Assert.Equal("sda", TargetDeviceNames.LowestFree(new[] { config }));
    }

    [Fact]
    public void A_sata_disk_named_sda_takes_the_name_too()
    {
        // Target names are unique across all buses of a domain: libvirt refuses a second sda.
        var definition = Dom.Parse(Dom.Edit("q35.live.xml", d => Dom.AddDevice(d,
            "<disk type='file' device='disk'><source file='/img/boot.qcow2'/><target dev='sda' bus='sata'/></disk>")));
        Assert.Equal("sdb", TargetDeviceNames.LowestFree(new[] { definition }));
    }

    [Fact]
    public void Disks_named_otherwise_do_not_take_an_sd_name()
    {
        var definition = Dom.Parse(Dom.Edit("none.live.xml", d =>
        {
            Dom.AddDevice(d, "<disk type='file' device='disk'><source file='/img/a.qcow2'/><target dev='vda' bus='virtio'/></disk>");
            Dom.AddDevice(d, "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>");
        }));
        Assert.Equal("sda", TargetDeviceNames.LowestFree(new[] { definition }));
    }

    [Fact]
    public void Past_sdz_the_next_name_is_sdaa()
    {
        var definition = Dom.Parse(Dom.WithManyLuns(26));
        Assert.Equal("sdaa", TargetDeviceNames.LowestFree(new[] { definition }));
    }
}
