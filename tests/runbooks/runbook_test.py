#!/usr/bin/env python3
"""Runs the runbooks' procedures (docs/runbooks/*.md) against the built binary: one procedure
per ctest test (tests/CMakeLists.txt), so a command or an expected output that stops being true
fails a test instead of an operator.

    TORGHUT_BIN=build/gcc/src/torghut/app/torghut python3 tests/runbooks/runbook_test.py PROCEDURE
    python3 tests/runbooks/runbook_test.py --list        # the procedures and their steps

What is run. A fenced ```sh block right after an HTML comment

    <!-- runbook-test: PROCEDURE, step: STEP -->

is a step of PROCEDURE; a procedure's steps run in the order they appear (README.md first, then
the other files by name). Each command of a block (a line, with its `\\` continuation lines) runs
in bash, one after the other, with the variables of the commands before it (`SINCE=$(date …)`
stays set for the next line). A comment on the command's line or on the lines right after it
says what must hold of what it printed (stdout and stderr together):

    # expect: TEXT          TEXT is in the output
    # expect-re: REGEX      REGEX matches (Python re, multiline)
    # expect-exit: N        the exit status is N (without it: 0)
    # eventually: TEXT      the command is run again (it must be a read) until TEXT is in its
                            output, for at most 90 s: for state that is reported asynchronously
    # eventually-re: REGEX  the same with a REGEX

Other comments are for the reader only.

Where it runs. A procedure gets a `torghut up --port 0` of the built binary on loopback, in a
data dir of its own, with an admin token; the conventions' variables point at its one port
(WS=$URL/ws, TA=$URL/ta, TRADE=$URL, SERVE=$URL). The cluster commands are mapped onto it by
two shell functions, so the blocks are the ones an operator runs against deploy/k8s:
  k exec POD -- CMD…           CMD on this machine with the role's settings (the up's data dir,
                               the ConfigMap values below): `torghut replay`, `torghut ta
                               savepoint`, `torghut bus …`, `torghut health`
  k get configmap … -o jsonpath='{.data.KEY}'   the setting's current value
  k get secret torghut-admin-token -o jsonpath='{.data.token}'   the token, base64 as a Secret
  k patch configmap … -p '{"data":{…}}'         settings for the next start
  k rollout restart …          `up` is stopped (SIGTERM, exit 0) and started again with the
                               patched settings, and the next command runs once /readyz is 200
  k rollout status …, kubectl kustomize … | kubectl apply -f -
                               nothing to do locally (the binary is the one built)
  k logs …                     the log of the running `up`
Anything else `k` is asked fails the step. A procedure with `tmpfs` (disk-full) runs with the
up's data dir on a tmpfs of that size of its own (mounted before the start, unmounted after in
every case; the run fails, as root is needed, when it cannot be mounted), which its setup fills
below TA_MIN_FREE_DISK_PCT. Literal values of the runbooks that only make sense in the cluster's
time (a replay window) are replaced, per procedure, with ones that hold for this
run (PROCEDURES' `subst`), and the conventions' `http://127.0.0.1:8080` with the up's address;
the runner fails when a runbook no longer contains a literal it replaces.

A failed check prints the runbook file, the procedure, the step, the command and its output,
and stops the procedure (later steps build on earlier ones); exit 1. Exit 0 when every step
held.
"""
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RUNBOOKS = os.path.join(ROOT, 'docs', 'runbooks')
BIN = os.environ.get('TORGHUT_BIN', '')
COMMAND_TIMEOUT_S = 60
EVENTUALLY_S = 90
READY_TIMEOUT_S = 60

MARKER = re.compile(r'^<!--\s*runbook-test:\s*([a-z0-9-]+)\s*(?:,\s*step:\s*([^>]*?))?\s*-->\s*$')
CHECK = re.compile(r'#\s*(expect|expect-re|expect-exit|eventually|eventually-re):\s?(.*)$')


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


# ---- the procedures -------------------------------------------------------------------------

def replay_window():
    now = time.time()
    # The replay's window: the last minutes the running `up` put on the bus; the refused --from
    # is older than TA_RETENTION_DAYS (35).
    return {'2026-12-01T14:30:00Z': iso(now - 300), '2026-12-01T21:00:00Z': iso(now + 60),
            '2026-12-01T15:00:00Z': iso(now + 60), '2026-10-01T00:00:00Z': iso(now - 40 * 86400)}


def wait_for_bars(up):
    """The replay needs data on the bus and its TA rows in the store: wait for a final bar."""
    def has_bar():
        body = up.get_json('/api/torghut/ta/latest?symbol=NVDA')
        return isinstance(body, dict) and isinstance(body.get('bars'), dict)
    if not poll(has_bar, 60):
        raise StepError('setup', 'no NVDA bar in the store 60 s after the start', up.tail())


def open_llm_circuit(up):
    """The simulator's reviewer answers 500 to the next three reviews (LLM_CIRCUIT_MAX_ERRORS):
    the circuit the procedure inspects opens."""
    up.post('/sim/faults', {'llm_http_500': 3})

    def is_open():
        status = up.get_json('/trading/status')
        return isinstance(status, dict) and status.get('llm', {}).get('circuit', {}).get('open')
    if not poll(is_open, 120):
        raise StepError('setup', 'the LLM circuit did not open after three failing reviews',
                        json.dumps(up.get_json('/trading/status')))


# The file that fills the disk-full procedure's volume: the one its SQLite reclaim step finds
# and removes (an old copy of the store left next to it).
FILLER = 'ta.sqlite.2026-11-30.bak'
FILLER_LEFT_FREE = 0.3  # below TA_MIN_FREE_DISK_PCT 50, with room left for the up's other writes


def fill_data_dir(up):
    """Once TA has written rows (the pause is a change of a running TA), fills the up's data dir
    (its own tmpfs) until 30% of it is free: below the procedure's TA_MIN_FREE_DISK_PCT, so TA
    pauses as store_full, and not full, so the bus and the trading store keep writing."""
    def has_rows():
        status = up.get_json('/ta/status')
        return isinstance(status, dict) and status.get('rows_written', 0) > 0
    if not poll(has_rows, 60):
        raise StepError('setup', 'TA wrote no row 60 s after the start', up.tail())
    data_dir = up.config['TORGHUT_DATA_DIR']
    fs = os.statvfs(data_dir)
    size = fs.f_bavail * fs.f_frsize - int(FILLER_LEFT_FREE * fs.f_blocks * fs.f_frsize)
    if size <= 0:
        raise StepError('setup', f'{data_dir} already has less than {FILLER_LEFT_FREE:.0%} free')
    with open(os.path.join(data_dir, FILLER), 'wb') as f:
        f.write(b'\0' * size)  # real pages: a sparse file would not take the space


# name -> settings `up` starts with (the ConfigMaps' values), what to do before the steps,
# literals of the runbooks replaced for this run, and optionally `tmpfs`: the size of a tmpfs
# mounted as the up's data dir (where its SQLite files and bus live) for the procedure's run.
PROCEDURES = {
    'health': {'config': {}, 'setup': None, 'subst': {}},
    'replay-rollback': {'config': {}, 'setup': wait_for_bars, 'subst': replay_window},
    'ta-savepoint': {'config': {}, 'setup': None, 'subst': {}},
    'ta-suspend-resume': {'config': {}, 'setup': None, 'subst': {}},
    'ta-restart-nonce': {'config': {}, 'setup': None, 'subst': {}},
    'trading-enable-disable': {'config': {}, 'setup': None, 'subst': {}},
    'trading-kill-switch': {'config': {}, 'setup': None, 'subst': {}},
    'llm-shadow': {'config': {}, 'setup': None, 'subst': {}},
    'llm-circuit': {'config': {'LLM_ENABLED': 'true'}, 'setup': open_llm_circuit, 'subst': {}},
    # A small filesystem of its own as the up's data dir (`tmpfs`), TA pausing below half of it
    # free, measured every 200 ms so the pause and the resume show within a poll. 64 MiB: the
    # up's own files (two SQLite WALs of up to 4 MiB each, the bus) stay far from half of it for
    # the run, so only the filler crosses the threshold.
    'disk-full': {'config': {'TA_MIN_FREE_DISK_PCT': '50', 'TA_DISK_CHECK_INTERVAL_MS': '200'},
                  'tmpfs': '64m', 'setup': fill_data_dir, 'subst': {}},
}

# Settings of the ConfigMaps every procedure starts with (as deploy/k8s/base sets them).
BASE_CONFIG = {'TA_GROUP_ID': 'torghut-ta-live', 'TA_RESTART_NONCE': '0',
               'TORGHUT_HTTP_ACCESS_LOG': 'false'}


# ---- the runbooks ---------------------------------------------------------------------------

class Command:
    def __init__(self, file, step, line, text):
        self.file, self.step, self.line, self.text = file, step, line, text
        self.checks = []  # (kind, value)

    def exit_expected(self):
        return next((int(v) for k, v in self.checks if k == 'expect-exit'), 0)


def split_checks(line):
    """(command part, check or None) of one line: `cmd   # expect: x` -> ('cmd', ('expect','x'))."""
    m = CHECK.search(line)
    if not m:
        return line, None
    return line[:m.start()].rstrip(), (m.group(1), m.group(2).rstrip())


def parse_runbooks():
    """procedure -> [Command] in runbook order (README.md first)."""
    files = sorted(f for f in os.listdir(RUNBOOKS) if f.endswith('.md'))
    files.sort(key=lambda f: f != 'README.md')
    procedures = {}
    for name in files:
        lines = open(os.path.join(RUNBOOKS, name)).read().splitlines()
        i = 0
        while i < len(lines):
            m = MARKER.match(lines[i].strip())
            i += 1
            if not m:
                continue
            procedure, step = m.group(1), (m.group(2) or '').strip() or f'line {i}'
            while i < len(lines) and not lines[i].strip():
                i += 1
            if i >= len(lines) or lines[i].strip() != '```sh':
                sys.exit(f'docs/runbooks/{name}:{i}: a runbook-test marker must be followed by a '
                         f'```sh block')
            indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
            i += 1
            commands = procedures.setdefault(procedure, [])
            current = None
            pending = ''
            while i < len(lines) and lines[i].strip() != '```':
                raw = lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip()
                text, check = split_checks(raw)
                if pending:
                    current.text += '\n' + text
                elif text.strip() and not text.lstrip().startswith('#'):
                    current = Command(f'docs/runbooks/{name}', step, i + 1, text)
                    commands.append(current)
                if check:
                    if current is None:
                        sys.exit(f'docs/runbooks/{name}:{i + 1}: a check before any command')
                    current.checks.append(check)
                pending = text.endswith('\\')
                i += 1
            i += 1
    return procedures


# ---- running --------------------------------------------------------------------------------

class StepError(Exception):
    def __init__(self, where, message, output=''):
        super().__init__(message)
        self.where, self.message, self.output = where, message, output


def poll(condition, seconds, every=0.25):
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(every)  # polling a condition, not waiting for one


SHIMS = r'''
k() {
  case "$1" in
    exec)
      shift
      while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
      shift
      ( set -a; . "$RUNBOOK_WORK/config.env"; cd "$RUNBOOK_WORK" && "$@" ) ;;
    get)
      if [ "$2" = secret ] && [ "$3" = torghut-admin-token ]; then
        printf %s "$RUNBOOK_ADMIN_TOKEN" | base64
      elif [ "$2" = configmap ]; then
        key=$(printf %s "$*" | sed -n 's/.*{\.data\.\([A-Za-z0-9_]*\)}.*/\1/p')
        [ -n "$key" ] || { echo "k $*: only -o jsonpath='{.data.KEY}' here" >&2; return 97; }
        grep "^$key=" "$RUNBOOK_WORK/config.env" | tail -1 | cut -d= -f2- | tr -d "'"
      else
        echo "k $*: not available on this machine" >&2; return 97
      fi ;;
    patch)
      [ "$2" = configmap ] || { echo "k $*: only ConfigMaps here" >&2; return 97; }
      while [ $# -gt 0 ] && [ "$1" != -p ]; do shift; done
      printf %s "$2" | jq -r '.data | to_entries[] | "\(.key)=\(.value)"' >> "$RUNBOOK_WORK/patches"
      echo "configmap patched" ;;
    rollout)
      case "$2" in
        restart) touch "$RUNBOOK_WORK/restart"; echo "$3 restarted" ;;
        status) echo "rollout complete" ;;
        *) echo "k $*: not available on this machine" >&2; return 97 ;;
      esac ;;
    logs) cat "$RUNBOOK_WORK/up.log" ;;
    *) echo "k $*: not available on this machine" >&2; return 97 ;;
  esac
}
kubectl() {
  case "$1" in
    kustomize) cat /dev/null ;;
    apply) cat > /dev/null; echo "applied" ;;
    -n) shift 2; k "$@" ;;
    *) k "$@" ;;
  esac
}
'''


class Up:
    """`torghut up --port 0` in the procedure's work dir; restarted by `k rollout restart`."""

    def __init__(self, work, config):
        self.work, self.config, self.proc, self.url, self.starts = work, dict(config), None, '', 0

    def write_config(self):
        with open(os.path.join(self.work, 'config.env'), 'w') as f:
            for key, value in self.config.items():
                f.write(f"{key}='{value}'\n")

    def start(self):
        self.starts += 1
        self.write_config()
        env = dict(os.environ, **self.config)
        log = os.path.join(self.work, 'up.log')
        if os.path.exists(log):
            os.rename(log, os.path.join(self.work, f'up.{self.starts - 1}.log'))
        self.proc = subprocess.Popen([BIN, 'up', '--port', '0', '--data-dir', self.config['TORGHUT_DATA_DIR'],
                                      '--symbols', 'AAPL,MSFT,NVDA', '--rate', '20'],
                                     stdout=subprocess.PIPE, stderr=open(log, 'w'), text=True, env=env)
        for line in self.proc.stdout:
            m = re.search(r'UI\s+(http://[^/]+)/torghut/visuals', line)
            if m:
                self.url = m.group(1)
                break
        else:
            raise StepError('start', f'torghut up exited ({self.proc.wait()}) before printing its URL',
                            self.tail())
        if not poll(lambda: self.status('/readyz') == 200, READY_TIMEOUT_S):
            raise StepError('start', f'{self.url}/readyz is not 200 {READY_TIMEOUT_S} s after the start',
                            self.tail())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait()
            if code != 0:
                raise StepError('stop', f'torghut up exited {code} on SIGTERM', self.tail())

    def restart(self):
        patches = os.path.join(self.work, 'patches')
        if os.path.exists(patches):
            for line in open(patches).read().splitlines():
                key, _, value = line.partition('=')
                self.config[key] = value
            os.remove(patches)
        self.stop()
        self.start()

    def status(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0

    def get_json(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return json.loads(r.read())
        except (OSError, ValueError):
            return None

    def post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method='POST',
                                     headers={'Authorization': 'Bearer ' + self.config['TORGHUT_ADMIN_TOKEN']})
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status

    def tail(self, lines=30):
        try:
            return '\n'.join(open(os.path.join(self.work, 'up.log')).read().splitlines()[-lines:])
        except OSError:
            return ''


def run_command(text, up, work):
    """(exit status, output) of one command in bash with the variables of the ones before."""
    script = (SHIMS + 'set -a\n. "$RUNBOOK_WORK/state.env" 2>/dev/null\n'
              f'WS={up.url}/ws TA={up.url}/ta TRADE={up.url} SERVE={up.url}\n'
              '(exit "${__rc:-0}")\n'  # `echo $?` on the next line sees this command's status
              f'{text}\n__rc=$?\nexport -p > "$RUNBOOK_WORK/state.env"\nexit $__rc\n')
    env = dict(os.environ, RUNBOOK_WORK=work, RUNBOOK_ADMIN_TOKEN=up.config['TORGHUT_ADMIN_TOKEN'],
               PATH=os.path.join(work, 'bin') + os.pathsep + os.environ.get('PATH', ''))
    try:
        out = subprocess.run(['bash', '-c', script], cwd=work, env=env, capture_output=True,
                             text=True, timeout=COMMAND_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        return None, f'(still running after {COMMAND_TIMEOUT_S} s) {e.stdout or ""}{e.stderr or ""}'
    return out.returncode, out.stdout + out.stderr


def failed_checks(command, code, output):
    problems = []
    if code != command.exit_expected():
        problems.append(f'exit {code}, expected {command.exit_expected()}')
    for kind, value in command.checks:
        if kind in ('expect', 'eventually') and value not in output:
            problems.append(f'expected {value!r} in the output')
        elif kind in ('expect-re', 'eventually-re') and not re.search(value, output, re.M):
            problems.append(f'expected a match of /{value}/')
    return problems


def mount_tmpfs(path, size):
    """A tmpfs of `size` at `path` (created); the procedure fails, not skips, when it cannot be
    mounted (it needs root, as tests/ta_disk_process_test.cc)."""
    os.makedirs(path, exist_ok=True)
    out = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise StepError('setup', f'mount -t tmpfs -o size={size} tmpfs {path} failed (exit '
                                 f'{out.returncode}): this procedure needs a filesystem of its own '
                                 f'to fill, and root to mount it', out.stdout + out.stderr)
    return path


def unmount(path):
    """Lazily: a process still holding a file there cannot keep it mounted after the run."""
    out = subprocess.run(['umount', '-l', path], capture_output=True, text=True)
    if out.returncode != 0:
        print(f'umount -l {path} failed (exit {out.returncode}): {out.stderr.strip()}')


def run_procedure(name, commands):
    spec = PROCEDURES[name]
    subst = dict(spec['subst']() if callable(spec['subst']) else spec['subst'])
    joined = '\n'.join(c.text for c in commands)
    for literal in subst:
        if literal not in joined:
            raise StepError('runbook', f'the steps no longer contain {literal!r}, which this '
                                       f'runner replaces (the subst of {name})')
    subst['http://127.0.0.1:8080'] = None  # the conventions' `up` address
    work = tempfile.mkdtemp(prefix=f'torghut-runbook-{name}-')
    os.makedirs(os.path.join(work, 'bin'))
    os.symlink(os.path.abspath(BIN), os.path.join(work, 'bin', 'torghut'))
    config = dict(BASE_CONFIG, TORGHUT_DATA_DIR=os.path.join(work, 'torghut-data'),
                  TORGHUT_ADMIN_TOKEN=secrets.token_hex(16), **spec['config'])
    up = Up(work, config)
    ok = False
    mounted = None
    try:
        if spec.get('tmpfs'):
            mounted = mount_tmpfs(config['TORGHUT_DATA_DIR'], spec['tmpfs'])
        up.start()
        if spec['setup']:
            spec['setup'](up)
        for c in commands:
            text = c.text
            for literal, value in subst.items():
                text = text.replace(literal, value if value is not None else up.url)
            eventually = any(k.startswith('eventually') for k, _ in c.checks)
            deadline = time.monotonic() + EVENTUALLY_S
            while True:
                code, output = run_command(text, up, work)
                problems = failed_checks(c, code, output)
                if not problems or not eventually or time.monotonic() > deadline:
                    break
                time.sleep(0.5)  # polling the command's condition
            if problems:
                raise StepError(f'{c.file}:{c.line}: {name}, step "{c.step}"',
                                '; '.join(problems) + f'\n  command: {text}', output)
            if os.path.exists(os.path.join(work, 'restart')):
                os.remove(os.path.join(work, 'restart'))
                up.restart()
        up.stop()
        ok = True
    finally:
        if up.proc and up.proc.poll() is None:
            up.proc.kill()
            up.proc.wait()
        if mounted:
            unmount(mounted)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f'kept {work} (up.log, state.env)')


def main():
    procedures = parse_runbooks()
    unknown = sorted(set(procedures) - set(PROCEDURES))
    if unknown:
        sys.exit(f'runbook-test markers name procedures this runner does not know: {unknown}')
    if sys.argv[1:] == ['--list']:
        for name in PROCEDURES:
            steps = []
            for c in procedures.get(name, []):
                if (c.file, c.step) not in steps:
                    steps.append((c.file, c.step))
            print(name + ': ' + ', '.join(f'{f} "{s}"' for f, s in steps))
        return 0
    if len(sys.argv) != 2 or sys.argv[1] not in PROCEDURES:
        sys.exit(f'usage: {sys.argv[0]} --list | {"|".join(PROCEDURES)}')
    name = sys.argv[1]
    if not os.access(BIN, os.X_OK):
        sys.exit(f'TORGHUT_BIN {BIN!r} is not an executable')
    commands = procedures.get(name, [])
    if not commands:
        print(f'FAIL {name}: no runbook block is marked `<!-- runbook-test: {name}, step: … -->`')
        return 1
    started = time.monotonic()
    try:
        run_procedure(name, commands)
    except StepError as e:
        print(f'FAIL {e.where}: {e.message}')
        if e.output:
            print('  output:\n    ' + '\n    '.join(e.output.rstrip().splitlines()[-40:]))
        return 1
    print(f'{name}: ok ({len(commands)} commands, {time.monotonic() - started:.0f} s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
