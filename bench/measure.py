#!/usr/bin/env python3
"""Run one command and print its wall time, peak RSS and exit status as JSON.

    measure.py [--out FILE] [--label NAME] [--stdout FILE] -- CMD ARGS...

Prints {"wall_s": 12.345, "peak_rss_mb": 210.4, "user_s": ..., "sys_s": ..., "exit": 0}
(plus "label" when given) on stdout, or appends it as one line to FILE with --out. The
child's stdout/stderr pass through (stdout goes to stderr, keeping stdout for the JSON; with
--stdout FILE the child's stdout is written to FILE, as a shell's `> FILE`).
Times come from a monotonic clock around fork/exec + os.wait4; peak RSS is ru_maxrss of
that child (Linux reports KiB; the maximum over the process tree's processes that the
child waited for, i.e. the largest single process, not their sum). "exit" is the exit
status, or -SIGNAL when killed by a signal (127: the command could not be started).
measure.py itself exits 0 once it has printed the result.
"""

import json
import os
import sys
import time


def main():
    argv = sys.argv[1:]
    out = None
    label = None
    stdout_file = None
    while argv and argv[0] != "--":
        if argv[0] == "--out" and len(argv) > 1:
            out = argv[1]
            argv = argv[2:]
        elif argv[0] == "--label" and len(argv) > 1:
            label = argv[1]
            argv = argv[2:]
        elif argv[0] == "--stdout" and len(argv) > 1:
            stdout_file = argv[1]
            argv = argv[2:]
        else:
            sys.exit("usage: measure.py [--out FILE] [--label NAME] [--stdout FILE] -- CMD ARGS...")
    if not argv or argv[0] != "--" or len(argv) < 2:
        sys.exit("usage: measure.py [--out FILE] [--label NAME] [--stdout FILE] -- CMD ARGS...")
    cmd = argv[1:]
    sys.stdout.flush()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            if stdout_file:
                fd = os.open(stdout_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(fd, 1)
                os.close(fd)
            else:
                os.dup2(2, 1)  # the child's stdout goes to stderr; ours carries the JSON
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("measure.py: cannot run %s: %s\n" % (cmd[0], e)).encode())
        os._exit(127)
    while True:
        try:
            _, status, ru = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.monotonic() - t0
    if os.WIFSIGNALED(status):
        code = -os.WTERMSIG(status)
    else:
        code = os.WEXITSTATUS(status)
    res = {}
    if label is not None:
        res["label"] = label
    res.update({
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(ru.ru_maxrss / 1024.0, 1),
        "user_s": round(ru.ru_utime, 3),
        "sys_s": round(ru.ru_stime, 3),
        "exit": code,
    })
    line = json.dumps(res)
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")
    else:
        print(line)


if __name__ == "__main__":
    main()
