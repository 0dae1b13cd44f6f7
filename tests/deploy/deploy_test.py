#!/usr/bin/env python3
"""Checks of deploy/ against the built binary: one step per ctest test (tests/CMakeLists.txt).

    TORGHUT_BIN=build/gcc/src/torghut/app/torghut KUBECTL=kubectl \
      python3 tests/deploy/deploy_test.py render|config|catalog|env-names|secrets|dockerfile|dashboard

Steps (each exits 0 when every check holds, 1 with one line per failed check):
  render     `kubectl kustomize` renders deploy/k8s/base and deploy/k8s/overlays/paper, and the
             rendered objects have SPEC §9's shapes: ws a single-replica Recreate Deployment, ta a
             StatefulSet with S3 checkpoints, trade two replicas (active + standby), serve a
             Deployment, migrate a Job, the strategy catalog mounted at
             TRADING_STRATEGY_CONFIG_PATH, probes on /healthz and /readyz, resources, PDBs that
             select pods; the overlay's namespace, image tag and Alpaca paper settings.
  env-names  every environment variable a rendered container gets (env and envFrom ConfigMaps)
             is one that `torghut <role> --help` of the built binary lists.
  secrets    no Secret object is rendered; every secret is referenced by name (secretKeyRef or a
             secret volume); no secret setting has a literal value; every *_FILE points into a
             mounted secret volume.
  config     every rendered container's role starts with exactly its rendered environment
             (mounted files under a temporary root, placeholders for secret values), offline:
             no setting is missing or malformed.
  catalog    the strategy catalog ConfigMap is accepted by `torghut backtest --strategies`
             (the same catalog parser and validation `trade` applies to
             TRADING_STRATEGY_CONFIG_PATH).
  dockerfile the runtime stage installs the Debian package of every shared library the built
             binary needs (NEEDED, resolved with ldd and dpkg -S on this Debian 12 machine).
  dashboard  every metric deploy/grafana/torghut.json queries, with the labels it selects or
             groups by, is on the /metrics of a `torghut up` this test starts on a free port.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BIN = os.environ.get('TORGHUT_BIN', '')
KUBECTL = os.environ.get('KUBECTL', 'kubectl')
BASE = os.path.join(ROOT, 'deploy', 'k8s', 'base')
PAPER = os.path.join(ROOT, 'deploy', 'k8s', 'overlays', 'paper')
DASHBOARD = os.path.join(ROOT, 'deploy', 'grafana', 'torghut.json')
ROLES = {'ws', 'ta', 'trade', 'serve', 'migrate'}

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


def render(path):
    out = subprocess.run([KUBECTL, 'kustomize', path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f'kubectl kustomize {path} failed: {out.stderr.strip()}')
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def objects(docs, kind):
    return {d['metadata']['name']: d for d in docs if d['kind'] == kind}


def workloads(docs):
    """(kind/name, pod spec) of every Deployment, StatefulSet and Job."""
    return [(f"{d['kind']}/{d['metadata']['name']}", d['spec']['template']['spec'])
            for d in docs if d['kind'] in ('Deployment', 'StatefulSet', 'Job')]


def role_of(container):
    args = container.get('args') or container.get('command') or []
    return args[0] if args else None


def container_env(container, configmaps):
    """NAME -> ('value', v) | ('secretKeyRef', name) | ('configMap', cm name, v) of a container."""
    env = {}
    for src in container.get('envFrom', []):
        if 'configMapRef' in src:
            name = src['configMapRef']['name']
            cm = configmaps.get(name)
            if check(cm is not None, f'envFrom names ConfigMap {name}, which is not rendered'):
                for k, v in (cm.get('data') or {}).items():
                    env[k] = ('configMap', name, v)
        else:
            check(False, f'envFrom {src}: only ConfigMaps (secrets go by key or by volume)')
    for e in container.get('env', []):
        if 'value' in e:
            env[e['name']] = ('value', e['value'])
        elif 'secretKeyRef' in e.get('valueFrom', {}):
            env[e['name']] = ('secretKeyRef', e['valueFrom']['secretKeyRef']['name'])
        else:
            env[e['name']] = ('other', json.dumps(e.get('valueFrom')))
    return env


def value_of(entry):
    return entry[-1] if entry[0] in ('value', 'configMap') else None


# ---- render ---------------------------------------------------------------------------------

def step_render():
    for path, overlay in ((BASE, False), (PAPER, True)):
        docs = render(path)
        where = os.path.relpath(path, ROOT)
        configmaps = objects(docs, 'ConfigMap')
        by_role = {}
        for name, pod in workloads(docs):
            for c in pod['containers']:
                by_role.setdefault(role_of(c), []).append((name, pod, c))
        check(set(by_role) == ROLES, f'{where}: roles {sorted(by_role)}, expected {sorted(ROLES)}')

        deployments = objects(docs, 'Deployment')
        ws = deployments.get('torghut-ws')
        if check(ws is not None, f'{where}: no Deployment torghut-ws'):
            check(ws['spec'].get('replicas') == 1, f'{where}: ws replicas must be 1')
            check(ws['spec'].get('strategy', {}).get('type') == 'Recreate',
                  f'{where}: ws must be replaced with Recreate (one Alpaca connection)')
        trade = deployments.get('torghut-trade')
        if check(trade is not None, f'{where}: no Deployment torghut-trade'):
            check(trade['spec'].get('replicas') == 2, f'{where}: trade: one active + one standby')
        check('torghut-serve' in deployments, f'{where}: no Deployment torghut-serve')
        check('torghut-migrate' in objects(docs, 'Job'), f'{where}: no Job torghut-migrate')
        ta = objects(docs, 'StatefulSet').get('torghut-ta')
        if check(ta is not None, f'{where}: no StatefulSet torghut-ta'):
            check(ta['spec'].get('replicas', 1) >= 2, f'{where}: ta must run N >= 2 replicas')
            check(ta['spec'].get('serviceName') in objects(docs, 'Service'),
                  f'{where}: ta serviceName names no rendered Service')
            (_, _, c), = by_role['ta']
            env = container_env(c, configmaps)
            checkpoint = value_of(env.get('TA_CHECKPOINT_DIR', ('value', '')))
            check(checkpoint.startswith('s3://') and len(checkpoint.split('/')) >= 4,
                  f'{where}: TA_CHECKPOINT_DIR {checkpoint!r} is not s3://bucket/prefix')
            for k in ('TA_S3_ENDPOINT', 'TA_S3_REGION', 'TA_S3_ACCESS_KEY_ID_FILE',
                      'TA_S3_SECRET_ACCESS_KEY_FILE'):
                check(k in env, f'{where}: ta has no {k}')

        # The catalog: TRADING_STRATEGY_CONFIG_PATH is a file of a mounted ConfigMap.
        if 'trade' in by_role:
            (_, pod, c), = by_role['trade']
            path_ = value_of(container_env(c, configmaps).get('TRADING_STRATEGY_CONFIG_PATH',
                                                              ('value', '')))
            mount = next((m for m in c.get('volumeMounts', [])
                          if path_.startswith(m['mountPath'].rstrip('/') + '/')), None)
            volume = mount and next(v for v in pod['volumes'] if v['name'] == mount['name'])
            if check(volume and 'configMap' in volume,
                     f'{where}: TRADING_STRATEGY_CONFIG_PATH {path_!r} is not in a ConfigMap mount'):
                cm = configmaps.get(volume['configMap']['name'], {})
                key = os.path.relpath(path_, mount['mountPath'])
                check(key in (cm.get('data') or {}),
                      f'{where}: ConfigMap {volume["configMap"]["name"]} has no key {key}')

        for name, pod in workloads(docs):
            for c in pod['containers']:
                res = c.get('resources', {})
                check(res.get('requests', {}).get('cpu') and res.get('requests', {}).get('memory')
                      and res.get('limits', {}).get('memory'),
                      f'{where}: {name}/{c["name"]} needs cpu/memory requests and a memory limit')
                if role_of(c) == 'migrate':
                    continue
                live = c.get('livenessProbe', {}).get('httpGet', {})
                ready = c.get('readinessProbe', {}).get('httpGet', {})
                check(live.get('path') == '/healthz', f'{where}: {name} liveness is not /healthz')
                check(ready.get('path') == '/readyz', f'{where}: {name} readiness is not /readyz')
                ports = {p['name']: p['containerPort'] for p in c.get('ports', [])}
                addr = value_of(container_env(c, configmaps).get('TORGHUT_HTTP_ADDR', ('value', '')))
                for probe in (live, ready):
                    port = ports.get(probe.get('port'), probe.get('port'))
                    check(addr == f'0.0.0.0:{port}',
                          f'{where}: {name} probes port {port}, TORGHUT_HTTP_ADDR is {addr!r}')

        labels_of = [d['spec']['template']['metadata'].get('labels', {})
                     for d in docs if d['kind'] in ('Deployment', 'StatefulSet')]
        pdbs = objects(docs, 'PodDisruptionBudget')
        check(len(pdbs) >= 2, f'{where}: expected PodDisruptionBudgets for ta and serve')
        for name, pdb in pdbs.items():
            want = pdb['spec']['selector']['matchLabels'].items()
            check(any(want <= l.items() for l in labels_of),
                  f'{where}: PodDisruptionBudget {name} selects no pods')

        if overlay:
            for d in docs:
                if d['kind'] != 'Namespace':
                    check(d['metadata'].get('namespace') == 'torghut-paper',
                          f'{where}: {d["kind"]}/{d["metadata"]["name"]} is not in torghut-paper')
            check('torghut-paper' in objects(docs, 'Namespace'), f'{where}: no Namespace')
            images = {c['image'] for _, pod in workloads(docs) for c in pod['containers']}
            check(len(images) == 1 and re.search(r':[0-9]+\.[0-9]+\.[0-9]+$', images.pop()),
                  f'{where}: every container must run one tagged image')
            trading = configmaps['torghut-trading-config']['data']
            check(trading.get('TRADING_MODE') == 'paper', f'{where}: TRADING_MODE is not paper')
            check(trading.get('TRADING_LIVE_ENABLED') == 'false', f'{where}: live must stay off')
            check(trading.get('APCA_API_BASE_URL') == 'https://paper-api.alpaca.markets',
                  f'{where}: APCA_API_BASE_URL is not Alpaca paper')
            ws_cfg = configmaps['torghut-ws-config']['data']
            check(ws_cfg.get('ALPACA_STREAM_URL', '').startswith('wss://'),
                  f'{where}: the stream must be wss://')


# ---- env-names ------------------------------------------------------------------------------

NAME = re.compile(r'\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b(?:BUS|SYMBOLS)\b')


def names_in_help(text):
    """The variable names a --help lists. `X[_FILE]` stands for X and X_FILE; an entry (a line
    indented by two spaces that starts with a name, and the more deeply indented lines under it)
    whose text says `*_FILE` gives every name of its first line a _FILE variant."""
    names = set()
    for m in re.finditer(r'(' + NAME.pattern + r')(\[_FILE\])?', text):
        names.add(m.group(1))
        if m.group(2):
            names.add(m.group(1) + '_FILE')
    entries = []
    for line in text.splitlines():
        if re.match(r'^  [A-Z]', line):
            entries.append([line])
        elif entries and re.match(r'^   ', line):
            entries[-1].append(line)
    for entry in entries:
        if any('*_FILE' in line for line in entry):
            column = re.split(r'\s{2,}', entry[0].strip())[0]  # the names, before the text
            names |= {n + '_FILE' for n in NAME.findall(column)}
    return names


def help_of(*args):
    out = subprocess.run([BIN, *args, '--help'], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f'torghut {" ".join(args)} --help exited {out.returncode}: {out.stderr.strip()}')
    return out.stdout


def known_names():
    common = names_in_help(help_of())  # TORGHUT_DATA_DIR, TORGHUT_LOG_LEVEL
    return {role: names_in_help(help_of(role)) | common for role in ROLES}


def step_env_names():
    check(os.access(BIN, os.X_OK), f'TORGHUT_BIN {BIN!r} is not an executable')
    known = known_names()
    # A name that is not a variable at all would pass a lax parser: these must be found.
    for role, must in (('ws', 'ALPACA_SECRET_KEY_FILE'), ('trade', 'APCA_API_KEY_ID_FILE'),
                       ('ta', 'TA_CHECKPOINT_DIR'), ('migrate', 'DB_DSN_FILE')):
        check(must in known[role], f'the parser of --help missed {must} for {role}')
    for path in (BASE, PAPER):
        docs = render(path)
        configmaps = objects(docs, 'ConfigMap')
        for name, pod in workloads(docs):
            for c in pod['containers']:
                role = role_of(c)
                for var in sorted(container_env(c, configmaps)):
                    check(var in known.get(role, set()),
                          f'{os.path.relpath(path, ROOT)}: {name} sets {var}, which '
                          f'`torghut {role} --help` does not list')


# ---- secrets --------------------------------------------------------------------------------

# Settings the code reads as secrets (ConfigReader::Secret: a value or NAME_FILE) that are not
# secret in this deployment: the Kafka SCRAM user name (the password is the secret).
NOT_SECRET = {'KAFKA_SASL_USER'}


def step_secrets():
    known = known_names()
    for path in (BASE, PAPER):
        where = os.path.relpath(path, ROOT)
        docs = render(path)
        configmaps = objects(docs, 'ConfigMap')
        for d in docs:
            check(d['kind'] != 'Secret', f'{where}: renders Secret/{d["metadata"]["name"]}')
            check(not ('data' in d and d['kind'] == 'Secret') and 'stringData' not in d,
                  f'{where}: {d["kind"]}/{d["metadata"]["name"]} carries secret data')
        for name, pod in workloads(docs):
            secret_volumes = {v['name']: v['secret']['secretName'] for v in pod.get('volumes', [])
                              if 'secret' in v}
            check(all(secret_volumes.values()), f'{where}: {name} has a secret volume without a name')
            for c in pod['containers']:
                role = role_of(c)
                secrets = {n[:-5] for n in known[role] if n.endswith('_FILE')} - NOT_SECRET
                mounts = {m['mountPath'].rstrip('/'): m['name'] for m in c.get('volumeMounts', [])
                          if m['name'] in secret_volumes}
                for var, entry in sorted(container_env(c, configmaps).items()):
                    if var in secrets:
                        check(entry[0] == 'secretKeyRef' and entry[1],
                              f'{where}: {name} sets secret {var} from {entry[0]}, not by name')
                    if var.endswith('_FILE') and var[:-5] in secrets:
                        file = value_of(entry) or ''
                        check(os.path.dirname(file) in mounts,
                              f'{where}: {name} {var}={file!r} is not in a mounted secret volume')


# ---- dockerfile -----------------------------------------------------------------------------

def runtime_packages():
    text = open(os.path.join(ROOT, 'Dockerfile')).read()
    stages = re.split(r'^FROM\s', text, flags=re.M)
    check(len(stages) == 3, 'the Dockerfile must have two stages (build, runtime)')
    check(re.search(r'^FROM debian:12 AS build', text, re.M), 'build stage is not debian:12')
    check(re.search(r'^FROM debian:12-slim\s*$', text, re.M), 'runtime stage is not debian:12-slim')
    runtime = stages[-1].replace('\\\n', ' ')
    check(re.search(r'^USER\s+\d+', runtime, re.M), 'the runtime stage must run as a non-root USER')
    check('web/dist' in runtime and 'TORGHUT_WEB_DIR' in runtime,
          'the runtime stage must carry web/dist and point TORGHUT_WEB_DIR at it')
    pkgs = set()
    for m in re.finditer(r'apt-get install ([^&\n]*)', runtime):
        pkgs |= {w for w in m.group(1).split() if not w.startswith('-')}
    return pkgs


def step_dockerfile():
    pkgs = runtime_packages()
    dyn = subprocess.run(['readelf', '-d', BIN], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]', dyn)
    check(len(needed) > 3, f'readelf found no NEEDED entries in {BIN}')
    resolved = {}
    for line in subprocess.run(['ldd', BIN], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.match(r'\s*(\S+) => (\S+)', line)
        if m:
            resolved[m.group(1)] = m.group(2)
    for lib in needed:
        if not check(lib in resolved, f'ldd does not resolve {lib}'):
            continue
        real = os.path.realpath(resolved[lib])
        # Merged /usr: dpkg may know the file by its /lib path.
        candidates = [real] + ([real[len('/usr'):]] if real.startswith('/usr/lib/') else [])
        for path in candidates:
            owner = subprocess.run(['dpkg', '-S', path], capture_output=True, text=True)
            if owner.returncode == 0:
                break
        if not check(owner.returncode == 0, f'{lib}: no Debian package owns {resolved[lib]}'):
            continue
        package = owner.stdout.split(':')[0]
        check(package in pkgs, f'{lib} is in Debian package {package}, which the runtime stage '
                               f'does not install (it installs {sorted(pkgs)})')


# ---- dashboard ------------------------------------------------------------------------------

# Labels Prometheus itself puts on scraped series (the Kubernetes service discovery's relabeling
# and the job), which no binary exposes.
TARGET_LABELS = {'job', 'instance', 'pod', 'namespace'}
PROMQL_WORDS = {'sum', 'max', 'min', 'rate', 'increase', 'histogram_quantile', 'by', 'le'}


def dashboard_queries():
    dash = json.load(open(DASHBOARD))
    exprs = []

    def walk(panels):
        for p in panels:
            exprs.extend(t['expr'] for t in p.get('targets', []) if t.get('expr'))
            walk(p.get('panels', []))
    walk(dash['panels'])
    return exprs


def scrape_up():
    """Starts `torghut up` on a free port with the LLM review on and trading off (so decisions are
    rejected and the rejection series exist), and returns (process, base URL, data dir)."""
    data = tempfile.mkdtemp(prefix='torghut-deploy-')
    env = dict(os.environ, LLM_ENABLED='true', TRADING_ENABLED='false',
               TORGHUT_HTTP_ACCESS_LOG='false')
    proc = subprocess.Popen([BIN, 'up', '--port', '0', '--data-dir', data, '--symbols', 'AAPL,MSFT',
                             '--rate', '20'], stdout=subprocess.PIPE, stderr=open(
                                 os.path.join(data, 'up.log'), 'w'), text=True, env=env)
    for line in proc.stdout:
        m = re.search(r'UI\s+(http://[^/]+)/torghut/visuals', line)
        if m:
            return proc, m.group(1), data
    sys.exit(f'torghut up exited ({proc.wait()}) before printing its URL; see {data}/up.log')


def parse_metrics(text):
    """metric name -> set of label names of its series."""
    series = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s', line)
        if m:
            labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ''))
            series.setdefault(m.group(1), set()).update(labels)
    return series


def wanted(exprs):
    """(metric, labels the expression selects or groups by) for every torghut_ metric queried."""
    out = []
    for e in exprs:
        metrics = re.findall(r'\b(torghut_[a-z0-9_]+)', e)
        grouped = set()
        for g in re.findall(r'\bby\s*\(([^)]*)\)', e):
            grouped |= {x.strip() for x in g.split(',') if x.strip()}
        for name in metrics:
            sel = re.search(re.escape(name) + r'\{([^}]*)\}', e)
            selected = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=~?', sel.group(1))) if sel else set()
            out.append((name, (selected | grouped) - TARGET_LABELS, e))
    return out


def step_dashboard():
    exprs = dashboard_queries()
    check(len(exprs) >= 20, f'the dashboard has {len(exprs)} queries')
    want = wanted(exprs)
    for topic in ('torghut_ws_lag_ms', 'torghut_ta_watermark_lag_ms', 'torghut_ta_checkpoint_age_ms',
                  'torghut_trading_decisions_total', 'torghut_trading_orders_total',
                  'torghut_trading_rejections_total', 'torghut_trading_broker_latency_ms',
                  'torghut_llm_circuit_open'):
        check(any(n.startswith(topic) for n, _, _ in want), f'the dashboard does not show {topic}')
    proc, base, data = scrape_up()
    missing = []
    try:
        deadline = time.monotonic() + 180
        while True:
            check_exit = proc.poll()
            if check_exit is not None:
                sys.exit(f'torghut up exited ({check_exit}); see {data}/up.log')
            try:
                with urllib.request.urlopen(base + '/metrics', timeout=10) as r:
                    exposed = parse_metrics(r.read().decode())
            except OSError:
                exposed = {}
            missing = [(n, labels - exposed.get(n, set()), e) for n, labels, e in want
                       if n not in exposed or not labels <= exposed[n]]
            # Labelled series appear with their first event (a rejection, a review): poll.
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        if proc.poll() is None:
            proc.terminate()
            check(proc.wait() == 0, f'torghut up did not exit 0 on SIGTERM; see {data}/up.log')
    for n, labels, e in missing:
        check(False, f'{n} (labels {sorted(labels)}) is not on `up`\'s /metrics; query: {e}')
    if not failures:  # kept, with up's log, when something failed
        shutil.rmtree(data, ignore_errors=True)


# ---- config ---------------------------------------------------------------------------------

def pod_environment(pod, c, configmaps, root):
    """The environment the container would get, with every mounted path moved under `root`:
    ConfigMap volumes hold their keys, secret volumes a placeholder file for each *_FILE that
    points into them, emptyDirs exist; secretKeyRef values are placeholders."""
    volumes = {v['name']: v for v in pod.get('volumes', [])}
    mounts = [(m['mountPath'].rstrip('/'), volumes.get(m['name'], {}))
              for m in c.get('volumeMounts', [])]
    for path, volume in mounts:
        os.makedirs(root + path, exist_ok=True)
        if 'configMap' in volume:
            for key, text in (configmaps.get(volume['configMap']['name'], {}).get('data') or {}).items():
                with open(os.path.join(root + path, key), 'w') as f:
                    f.write(text)
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
    for var, entry in container_env(c, configmaps).items():
        value = value_of(entry)
        if value is None:
            env[var] = f'placeholder-{var.lower()}'
            continue
        for path, volume in mounts:
            if value == path or value.startswith(path + '/'):
                value = root + value
                if 'secret' in volume and not os.path.exists(value):
                    if value.endswith(('.crt', '.pem')):  # a CA bundle: a real certificate
                        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                                        '-subj', '/CN=torghut-deploy-test', '-days', '1',
                                        '-keyout', value + '.key', '-out', value],
                                       capture_output=True, check=True)
                    else:
                        with open(value, 'w') as f:
                            f.write(f'placeholder-{var.lower()}\n')
        env[var] = value
    return env


def accepts_config(args, env):
    """Runs `torghut ARGS` in a network namespace of its own (nothing reachable: no traffic leaves
    the machine) until it either exits or writes its first log line, the sign that its settings
    were accepted (settings are validated, all at once, before anything starts). Returns the
    lines of its refusal, or None when it accepted them."""
    proc = subprocess.Popen(['unshare', '--net', BIN, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    if 'bad setting' in first:
        rest = proc.stderr.read()
        proc.wait()
        return [first.strip()] + [l.strip() for l in rest.splitlines() if l.startswith('  ')]
    proc.terminate()
    proc.wait()
    check(first != '', f'torghut {" ".join(args)} exited {proc.returncode} without a word')
    return None


def step_config():
    """Every role starts with exactly the rendered settings (no missing or malformed setting)."""
    check(subprocess.run(['unshare', '--net', 'true']).returncode == 0,
          'unshare --net must work (root, or user namespaces) to start the roles offline')
    for path in (BASE, PAPER):
        where = os.path.relpath(path, ROOT)
        docs = render(path)
        configmaps = objects(docs, 'ConfigMap')
        for name, pod in workloads(docs):
            for c in pod['containers']:
                root = tempfile.mkdtemp(prefix='torghut-deploy-config-')
                try:
                    refusal = accepts_config(c.get('args', []), pod_environment(pod, c, configmaps, root))
                    check(refusal is None, f'{where}: {name} refuses its settings: {refusal}')
                finally:
                    shutil.rmtree(root, ignore_errors=True)


# ---- catalog --------------------------------------------------------------------------------

def step_catalog():
    """The strategy catalog the manifests mount is one the binary accepts: `torghut backtest
    --strategies` refuses a bad catalog before any work (exit 2 naming the line), and runs a good
    one over a short generated session (exit 0)."""
    work = tempfile.mkdtemp(prefix='torghut-deploy-catalog-')
    try:
        data = os.path.join(work, 'market.jsonl')
        subprocess.run([BIN, 'sim', 'generate', '--symbols', 'AAPL,MSFT', '--seconds', '60',
                        '--seed', '1', '--out', data], capture_output=True, check=True)
        for path in (BASE, PAPER):
            where = os.path.relpath(path, ROOT)
            cm = objects(render(path), 'ConfigMap').get('torghut-strategies')
            if not check(cm and cm.get('data'), f'{where}: no ConfigMap torghut-strategies'):
                continue
            for key, text in cm['data'].items():
                catalog = os.path.join(work, key)
                with open(catalog, 'w') as f:
                    f.write(text)
                run = subprocess.run([BIN, 'backtest', '--from-file', data, '--strategies', catalog,
                                      '--out', os.path.join(work, 'report')],
                                     capture_output=True, text=True)
                check(run.returncode == 0,
                      f'{where}: torghut-strategies/{key} is refused (exit {run.returncode}): '
                      f'{run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""}')
    finally:
        shutil.rmtree(work, ignore_errors=True)


STEPS = {'render': step_render, 'config': step_config, 'catalog': step_catalog, 'env-names': step_env_names, 'secrets': step_secrets,
         'dockerfile': step_dockerfile, 'dashboard': step_dashboard}

if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in STEPS:
        sys.exit(f'usage: {sys.argv[0]} {"|".join(STEPS)}')
    if sys.argv[1] != 'render' and not os.access(BIN, os.X_OK):
        sys.exit(f'TORGHUT_BIN {BIN!r} is not an executable')
    STEPS[sys.argv[1]]()
    for f in failures:
        print('FAIL', f)
    print(f'{sys.argv[1]}: {"ok" if not failures else f"{len(failures)} failed"}')
    sys.exit(1 if failures else 0)
