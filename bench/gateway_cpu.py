"""CPU per /wechat message in one process, for this checkout and, side by side, for others.

Run: .venv/bin/python bench/gateway_cpu.py [--against PATH] [--databases sqlite,postgres] [--pairs 5]

Each measurement is a fresh process: it migrates a fresh database (SQLite in a temporary folder,
or the scratch PostgreSQL database `--pg-url`, dropped and recreated), imports `bot.wsgi` from
the checkout measured, and posts signed text messages through Flask's test client: the 40 texts
of bench/messages.txt in turn, from 2,000 followers, a distinct MsgId each. After 2,000
unmeasured messages it takes the best of 3 × 2,000 by the process's own CPU time, which is less
sensitive than req/s to what else the machine runs. With `--against` (a checkout of an older
commit, e.g. `git worktree add /tmp/old 07cb243`) the two alternate, and the median of the
pairs' ratios is printed. `--no-memo` turns off the memo of short texts' understanding. `--echo`
alternates with the bare echo (bench/echo_app.py, same messages, same test client) instead, for
issue 15's "CPU per message in one process ≤ 2.5× the echo's"; `--design locked` measures the
previous design (bench/locked_app.py).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
FOLLOWERS = 2000
BATCH = 2000


ECHO = Path("echo")


def measure(checkout: Path, database_url: str, memo: bool, design: str = "", mix: str = "bench",
            profile: Path | None = None, eval_batch: int = 0) -> float:
    """In this process: CPU milliseconds per message of the app in `checkout` (best of 3 batches);
    `checkout` ECHO: the bare echo of this checkout. With `profile`, one batch after the warm-up runs
    under cProfile and its statistics are written there (the figure returned is then that batch's)."""
    is_echo = checkout == ECHO
    checkout = ROOT if is_echo else checkout
    sys.path.insert(0, str(checkout))
    os.chdir(checkout)
    os.environ.update(WECHAT_TOKEN=TOKEN, WECHAT_APP_ID="wxbench", WECHAT_APP_SECRET="bench", SECRET_KEY="bench",
                      DATABASE_URL=database_url, WECHAT_API_BASE="http://127.0.0.1:9/")
    subprocess.run([sys.executable, "-m", "bot", "init-db"], check=True, capture_output=True)
    if not memo:
        import nlp.intents
        nlp.intents.MEMO_TEXT_LENGTH = -1
    if is_echo:
        from bench.echo_app import app
    else:
        from bot.wsgi import app
    if design == "locked":
        import bot.inbox
        bot.inbox.OPTIMISTIC_TRIES = 0

    lines = (checkout / "bench" / "messages.txt").read_text(encoding="utf-8").splitlines()
    texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    timestamp = str(int(time.time()))
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, "n"])).encode()).hexdigest()
    url = f"/wechat?signature={signature}&timestamp={timestamp}&nonce=n"
    client = app.test_client()
    sent = 0

    def say(n: int) -> str:
        """The n-th text: a line of the file, with a tail of its own under the unique mix (gateway.lua's)."""
        line = texts[n % len(texts)]
        return line + unique_tail(n) if mix == "unique" else line

    def post_batch(size: int = BATCH) -> float:
        nonlocal sent
        started = time.process_time()
        for _ in range(size):
            sent += 1
            body = (f"<xml><ToUserName>gh_bench</ToUserName><FromUserName>o_bench_{sent % FOLLOWERS}</FromUserName>"
                    f"<CreateTime>{timestamp}</CreateTime><MsgType>text</MsgType>"
                    f"<Content><![CDATA[{say(sent)}]]></Content><MsgId>{10**9 + sent}</MsgId></xml>")
            status = client.post(url, data=body.encode()).status_code
            if status != 200:
                raise SystemExit(f"HTTP {status} from {checkout}")
        return (time.process_time() - started) / size * 1000

    post_batch()
    if eval_batch:  # the only eval() of the run: callgrind's --toggle-collect=builtin_eval counts this batch alone
        return float(eval("post_batch(size)", {"post_batch": post_batch, "size": eval_batch}))
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        cpu = profiler.runcall(post_batch)
        profiler.dump_stats(profile)
        return cpu
    return min(post_batch() for _ in range(3))


#: The signs of bench/gateway.lua's unique tail: no digits, which the bot could take for a project number.
SIGNS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def unique_tail(n: int) -> str:
    """A distinct tail for each number, as bench/gateway.lua writes it: its digits in base 20, one sign each."""
    out = []
    while True:
        out.append(SIGNS[n % 20])
        n //= 20
        if n == 0:
            return "，" + "".join(out)


def run_one(checkout: Path, database: str, pg_url: str, memo: bool, design: str = "", mix: str = "bench",
            profile: Path | None = None) -> float:
    """Measure one checkout on one database in a fresh process; return CPU ms per message."""
    with tempfile.TemporaryDirectory() as folder:
        if database == "sqlite":
            url = f"sqlite:///{folder}/bench.sqlite3"
        else:
            name = pg_url.rsplit("/", 1)[1]
            if name in ("test", "postgres"):
                raise SystemExit(f"refusing to drop the database {name!r}; pass another --pg-url")
            server = pg_url.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", server, "-qc", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                           check=True, capture_output=True)
            url = pg_url
        argv = [sys.executable, __file__, "--measure", str(checkout), "--url", url, *([] if memo else ["--no-memo"]),
                "--design", design, "--mix", mix, *(["--profile", str(profile)] if profile else [])]
        output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return float(output.split()[-1])


def main() -> None:
    """Alternate the checkouts on each database and print every pair and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, help="another checkout to measure side by side")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench_cpu",
                        help="scratch PostgreSQL database; dropped and recreated (never 'test')")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--no-memo", dest="memo", action="store_false", help="without the understanding memo")
    parser.add_argument("--echo", action="store_true", help="alternate with the bare echo instead of --against")
    parser.add_argument("--design", default="", choices=("", "locked"), help="locked: the previous design")
    parser.add_argument("--mix", choices=("bench", "unique"), default="bench",
                        help="bench: the 40 lines of messages.txt; unique: the same lines, no text ever repeated")
    parser.add_argument("--profile", type=Path,
                        help="profile one batch of this checkout under cProfile into this file (no pairs)")
    parser.add_argument("--eval-batch", type=int, default=0,
                        help="with --measure: after the warm-up, one batch of this many messages inside eval(), "
                             "for valgrind --tool=callgrind --collect-atstart=no --toggle-collect=builtin_eval")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(f"{measure(args.measure, args.url, args.memo, args.design, args.mix, args.profile, args.eval_batch):.3f}")
        return
    if args.profile:
        for database in args.databases.split(","):
            path = args.profile.with_suffix(f".{database}{args.profile.suffix}")
            cpu = run_one(ECHO if args.echo else ROOT, database, args.pg_url, args.memo, args.design, args.mix, path)
            print(f"{database}: {cpu:.3f} ms per message under cProfile; statistics in {path}")
        return
    other = [ECHO] if args.echo else [args.against.resolve()] if args.against else []
    checkouts = [ROOT, *other]
    for database in args.databases.split(","):
        results: dict[Path, list[float]] = {checkout: [] for checkout in checkouts}
        for pair in range(args.pairs):
            order = checkouts if pair % 2 == 0 else checkouts[::-1]
            for checkout in order:
                results[checkout].append(run_one(checkout, database, args.pg_url, args.memo, args.design, args.mix))
            print(f"{database} pair {pair + 1}: " + "   ".join(f"{c}: {results[c][-1]:.3f} ms" for c in checkouts),
                  flush=True)
        for checkout, values in results.items():
            print(f"{database} {checkout}: median {statistics.median(values):.3f} ms "
                  f"({min(values):.3f}-{max(values):.3f})")
        if other:
            ratios = [a / b for a, b in zip(results[ROOT], results[other[0]])]
            print(f"{database} this / against: median of the pairs {statistics.median(ratios):.2f}")
    if "postgres" in args.databases:
        name = args.pg_url.rsplit("/", 1)[1]
        subprocess.run(["psql", args.pg_url.rsplit("/", 1)[0] + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
                       capture_output=True)


if __name__ == "__main__":
    main()
