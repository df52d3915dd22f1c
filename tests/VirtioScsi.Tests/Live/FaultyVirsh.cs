using System;
using System.IO;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// A wrapper around the real virsh that injects one fault into the real stack when armed: it sits in the
/// session's stdin (the commands the module sends), passes everything on to the real virsh, and at the
/// armed point hangs, drops the connection, kills its caller, or changes the domain behind the module's
/// back. Each fault fires once (its file is renamed when it does). Never a mock: libvirt does the work.
/// </summary>
public sealed class FaultyVirsh : IDisposable
{
    private FaultyVirsh(string directory) => Directory = directory;

    public string Directory { get; }
    /// <summary>Put first on PATH (a child process), or given to the engine as its virsh.</summary>
    public string PathDirectory => Path.Combine(Directory, "bin");
    public string Program => Path.Combine(PathDirectory, "virsh");

    /// <summary>
    /// The faults: hang-before-lun (the LUN step hangs before libvirt sees it), hang-after-controller (libvirt
    /// adds the controller, then virsh hangs before it says so), hang-on-read (the LUN is attached; the read-back
    /// hangs), hang-on-detach (the next detach hangs: the rollback), drop-connection-at-lun (virsh loses
    /// libvirtd before the LUN step; while the file "down" exists every virsh fails to connect, as with a
    /// stopped libvirtd), kill-caller-at-lun (SIGKILL to the module's process before the LUN step),
    /// outside-attach-before-lun (another tool attaches outside.xml to the domain just before the LUN step),
    /// outside-detach-before-lun (another tool detaches outside.xml --config just before the LUN step).
    /// </summary>
    public void Arm(string fault) => File.WriteAllText(Path.Combine(Directory, "armed-" + fault), "");

    public bool Fired(string fault) => File.Exists(Path.Combine(Directory, "fired-" + fault));

    /// <summary>libvirtd "stopped" (true) or back (false), as every virsh started through the wrapper sees it.</summary>
    public bool Down
    {
        set
        {
            var file = Path.Combine(Directory, "down");
            if (value) File.WriteAllText(file, "");
            else File.Delete(file);
        }
    }

    /// <summary>Device XML that the outside-* faults attach or detach.</summary>
    public void SetOutside(string domain, string deviceXml)
    {
        File.WriteAllText(Path.Combine(Directory, "outside.domain"), domain);
        File.WriteAllText(Path.Combine(Directory, "outside.xml"), deviceXml);
    }

    public static FaultyVirsh Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"vst-conc-virsh-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "bin"));
        var real = Support.Tools.Virsh ?? "/usr/bin/virsh";
        var script = Script.Replace("@REAL@", real).Replace("@DIR@", directory);
        var program = Path.Combine(directory, "bin", "virsh");
        File.WriteAllText(program, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FaultyVirsh(directory);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }

    private const string Script = """
        #!/bin/bash
        # Test only: the real virsh with one armed fault (tests/VirtioScsi.Tests/Live/FaultyVirsh.cs).
        REAL='@REAL@'
        DIR='@DIR@'
        if [ -e "$DIR/down" ]; then
          echo "error: failed to connect to the hypervisor" >&2
          echo "error: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': Connection refused" >&2
          exit 1
        fi
        # A process per batch (the command in the arguments) passes straight through.
        case " $* " in *" --quiet "*) ;; *) exec "$REAL" "$@" ;; esac
        fire() { mv "$DIR/armed-$1" "$DIR/fired-$1" 2>/dev/null; }
        connect=()
        [ "$1" = --connect ] && connect=(--connect "$2")
        outside() {
          "$REAL" "${connect[@]}" "$1" --domain "$(cat "$DIR/outside.domain")" --file "$DIR/outside.xml" --config >>"$DIR/outside.log" 2>&1
        }
        # What the step's XML file holds: a LUN or a controller.
        kind() {
          local f
          f=$(grep -o "/[^ ']*virtioscsi-[0-9a-f]*\.xml" <<<"$1" | head -n 1)
          [ -n "$f" ] && [ -f "$f" ] || return 0
          if grep -q '<disk' "$f"; then echo lun; elif grep -q '<controller' "$f"; then echo controller; fi
        }
        hang_on_read=
        while IFS= read -r line; do
          case "$line" in
            attach-device*)
              k=$(kind "$line")
              if [ "$k" = lun ]; then
                if fire hang-before-lun; then sleep 30; exit 1; fi
                if fire drop-connection-at-lun; then touch "$DIR/down"; echo "error: End of file while reading data: Input/output error" >&2; exit 1; fi
                if fire kill-caller-at-lun; then kill -9 "$PPID"; sleep 30; exit 1; fi
                if fire outside-attach-before-lun; then outside attach-device; fi
                if fire outside-detach-before-lun; then outside detach-device; fi
                if fire hang-on-read; then hang_on_read=1; fi
              fi
              printf '%s\n' "$line"
              if [ "$k" = controller ] && fire hang-after-controller; then sleep 30; exit 1; fi
              continue ;;
            detach-device*)
              if fire hang-on-detach; then sleep 30; exit 1; fi ;;
            dumpxml*)
              if [ -n "$hang_on_read" ]; then sleep 30; exit 1; fi ;;
          esac
          printf '%s\n' "$line"
        done | "$REAL" "$@"
        """;
}
