"""CPU seconds and memory of other processes, from a process of its own (issue 17).

    python benchmarks/cpu_sampler.py --interval 1.0

Reads commands on stdin, one a line, and answers each with one JSON line on stdout:
- `track ROLE PID`: add a process under ROLE with its children (the postmaster's backends, the
  pipeline's child process of a long pull): the live ones are added at every sample, the
  reaped ones through cutime/cstime;
- `mark`: sample now; answers {role: cpu_s} (user + system, since the process started);
- `peaks`: answers {role: peak RSS MB} seen by the ~1 Hz samples and at marks (VmHWM for the
  tracked pid itself, so a spike between samples is not lost);
- `quit`.
Only /proc is read; the sampler costs the measured processes nothing but its reads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

TICK = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


def _stat(pid: int) -> tuple[float, float] | None:
    """(own user+system s, reaped children's user+system s) of a live process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is the state (field 3); utime, stime, cutime, cstime are fields 14..17
    u, s, cu, cs = (int(x) for x in fields[11:15])
    return (u + s) / TICK, (cu + cs) / TICK


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def _rss(pid: int, hwm: bool) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:" if hwm else "VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler:
    def __init__(self) -> None:
        self.roles: dict[str, int] = {}
        self.last: dict[str, float] = {}  # role -> last cpu seen (a process that has exited)
        self.peaks: dict[str, float] = {}
        self.lock = threading.Lock()

    def cpu(self) -> dict[str, float]:
        out = {}
        with self.lock:
            for role, pid in self.roles.items():
                st = _stat(pid)
                if st is None:  # exited: keep the last figure
                    out[role] = self.last.get(role, 0.0)
                    continue
                total = st[0]
                rss = _rss(pid, hwm=True)
                total += st[1]
                for child in _children(pid):
                    cst = _stat(child)
                    if cst is not None:
                        total += cst[0]
                        if role == "postgres":  # the server's memory: all its processes
                            rss += _rss(child, hwm=False)
                        else:  # a pull's child: its own peak, beside its parent's
                            child_mb = _rss(child, hwm=True) / MB
                            key = f"{role} child"
                            self.peaks[key] = max(self.peaks.get(key, 0.0), child_mb)
                self.last[role] = out[role] = total
                self.peaks[role] = max(self.peaks.get(role, 0.0), rss / MB)
        return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=float, default=1.0)
    args = ap.parse_args()
    sampler = Sampler()
    halt = threading.Event()

    def loop() -> None:
        while not halt.wait(args.interval):
            sampler.cpu()

    threading.Thread(target=loop, daemon=True).start()
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "track":
            with sampler.lock:
                sampler.roles[cmd[1]] = int(cmd[2])
                sampler.peaks.pop(cmd[1], None)
            answer: object = {"ok": True}
        elif cmd[0] == "mark":
            answer = sampler.cpu()
        elif cmd[0] == "peaks":
            sampler.cpu()
            answer = dict(sampler.peaks)
        elif cmd[0] == "quit":
            break
        else:
            answer = {"error": f"unknown command {cmd[0]!r}"}
        print(json.dumps(answer), flush=True)
    halt.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
