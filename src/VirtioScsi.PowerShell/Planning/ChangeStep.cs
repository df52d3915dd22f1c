using System;
using System.Collections.Generic;
using System.IO;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Virsh;

namespace VirtioScsi.Planning;

/// <summary>
/// One change to a domain: a virsh command with the XML it reads from a file. Steps are planned from a
/// read of the domain before anything runs, so -WhatIf can show exactly what would run.
/// </summary>
internal sealed class ChangeStep
{
    private ChangeStep(StepKind kind, string domain, string description, XNode xml, ChangeScope scope, bool showXml)
    {
        Kind = kind;
        Domain = domain;
        Description = description;
        Xml = xml;
        Scope = scope;
        ShowXml = showXml;
        FilePath = Path.Combine(Path.GetTempPath(), "virtioscsi-" + Guid.NewGuid().ToString("N") + ".xml");
    }

    public StepKind Kind { get; }
    public string Domain { get; }
    public string Description { get; }
    public XNode Xml { get; }
    public ChangeScope Scope { get; }
    /// <summary>False for whole definitions, which may hold secrets (graphics passwords).</summary>
    public bool ShowXml { get; }
    /// <summary>Where the executor writes <see cref="Xml"/> for virsh to read, and removes it afterwards.</summary>
    public string FilePath { get; }
    /// <summary>What brings the domain back if a later step fails.</summary>
    public ChangeStep? Undo { get; private set; }
    /// <summary>For a live detach: true once the device has left the running domain.</summary>
    public Func<DomainDefinition, bool>? IsGoneFromLive { get; private set; }

    public static ChangeStep Attach(string domain, string description, XElement device, ChangeScope scope) =>
        new(StepKind.AttachDevice, domain, description, device, scope, true);

    public static ChangeStep Detach(string domain, string description, XElement device, ChangeScope scope, Func<DomainDefinition, bool> isGone) =>
        new(StepKind.DetachDevice, domain, description, device, scope, true) { IsGoneFromLive = isGone };

    public static ChangeStep Define(string domain, string description, XDocument definition) =>
        new(StepKind.Define, domain, description, definition, new ChangeScope(false, true), false);

    public ChangeStep WithUndo(ChangeStep undo)
    {
        Undo = undo;
        return this;
    }

    public VirshCommand Command => Kind switch
    {
        StepKind.Define => new VirshCommand("define").Option("--file", FilePath),
        _ => new VirshCommand(Kind == StepKind.AttachDevice ? "attach-device" : "detach-device")
            .Option("--domain", Domain)
            .Option("--file", FilePath)
            .FlagIf(Scope.Live, "--live")
            .FlagIf(Scope.Config, "--config"),
    };

    /// <summary>The XML as written to the file.</summary>
    public string XmlText => Xml is XDocument document ? document.ToString() : Xml.ToString();

    /// <summary>Marks the end of the device XML in the here-document of <see cref="Describe"/>; no XML line is this word.</summary>
    internal const string HereDocumentEnd = "VIRTIOSCSI_XML";

    /// <summary>
    /// What -WhatIf shows: the description, then a command a user can paste into a shell to do the same after the
    /// cmdlet has finished. The temporary file the module uses is gone by then, so virsh reads the device XML from a
    /// here-document on stdin instead. A whole definition is not shown (it may hold secrets): its line says it is
    /// illustrative.
    /// </summary>
    public IEnumerable<string> Describe(string? connectionUri)
    {
        yield return Description;
        if (!ShowXml)
        {
            yield return "  " + Command.ToCommandLine(connectionUri) +
                         "   # illustrative: the module writes the new definition to this temporary file and removes it afterwards";
            yield break;
        }
        yield return "  " + PasteableCommand.ToCommandLine(connectionUri) + " <<'" + HereDocumentEnd + "'";
        foreach (var line in XmlText.Split('\n')) yield return line.TrimEnd('\r');
        yield return HereDocumentEnd;
    }

    /// <summary>The command with the XML read from stdin.</summary>
    private VirshCommand PasteableCommand =>
        new VirshCommand(Kind == StepKind.AttachDevice ? "attach-device" : "detach-device")
            .Option("--domain", Domain)
            .Option("--file", "/dev/stdin")
            .FlagIf(Scope.Live, "--live")
            .FlagIf(Scope.Config, "--config");
}
