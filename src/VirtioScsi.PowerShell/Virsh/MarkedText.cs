using System;
using System.Text;

namespace VirtioScsi.Virsh;

/// <summary>
/// Text read from a stream, taken off in pieces up to markers. Searches only what arrived since the last
/// search, so reading the output of a thousand commands stays linear.
/// </summary>
internal sealed class MarkedText
{
    private readonly StringBuilder _text = new();
    private int _start;
    private int _scanned;
    private int _found = -1;
    private string? _foundMarker;

    public bool Closed { get; set; }

    /// <summary>
    /// The marker a reader waits for, if any. virsh echoes its input a few characters per write, so the
    /// stream thread checks for it itself and wakes the waiting thread once per command, not once per write.
    /// </summary>
    public string? Awaited { get; set; }

    /// <summary>True when the text is closed or the awaited marker (if any) has arrived: worth waking the reader for.</summary>
    public bool WorthWaking => Closed || Awaited is null || Has(Awaited);

    public void Append(char[] buffer, int count) => _text.Append(buffer, 0, count);

    /// <summary>True when the marker has arrived after what was taken so far.</summary>
    public bool Has(string marker)
    {
        if (_foundMarker == marker && _found >= 0) return true;
        // Look again from just before the unscanned part, in case the marker straddles two reads.
        var from = Math.Max(_start, _scanned - marker.Length);
        var tail = _text.ToString(from, _text.Length - from);
        var at = tail.IndexOf(marker, StringComparison.Ordinal);
        _scanned = _text.Length;
        if (at < 0) return false;
        _found = from + at;
        _foundMarker = marker;
        return true;
    }

    /// <summary>Takes the text before the marker, and the marker; call after <see cref="Has"/> said yes.</summary>
    public string Take(string marker)
    {
        if (!Has(marker)) throw new InvalidOperationException("marker not arrived");
        var before = _text.ToString(_start, _found - _start);
        _start = _found + marker.Length;
        _scanned = _start;
        _found = -1;
        _foundMarker = null;
        if (_start > 1 << 20)
        {
            _text.Remove(0, _start);
            _start = 0;
            _scanned = 0;
        }
        return before;
    }

    public string Rest() => _text.ToString(_start, _text.Length - _start);
}
