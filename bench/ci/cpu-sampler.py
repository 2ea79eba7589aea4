#!/usr/bin/env python3
# Where a test run's CPU goes: every 2 s, each process's CPU ticks (/proc/PID/stat), attributed to
# a kind of process (from its command line) and to the phase of scripts/test.sh then running (the
# newest phase line in its log). Processes that were running before the sampler started count
# only from then on; a process that lives less than 2 s is missed.
#
#   python3 bench/ci/cpu-sampler.py RUN.log OUT.json &   # beside `bash .ci/run > RUN.log 2>&1`
#   (OUT.json is rewritten every 2 s: {"elapsed": s, "totals": [[phase, kind, CPU-s], ...]})
import os, sys, time, re, json
HZ = os.sysconf('SC_CLK_TCK')
log = sys.argv[1]; out = sys.argv[2]
seen = {}   # pid -> (ticks, cat)
totals = {} # (phase, cat) -> ticks
def cat_of(pid):
    try:
        cmd = open(f'/proc/{pid}/cmdline','rb').read().replace(b'\0',b' ').decode(errors='replace')
    except Exception: return None
    c = cmd
    rules = [
      ('jest-worker', r'jest-worker|processChild'),
      ('jest-main', r'backstage-cli repo test|jest'),
      ('playwright', r'playwright'),
      ('chromium', r'chrom'),
      ('kafka', r'kafka\.Kafka|kafka-server'),
      ('java-other', r'java'),
      ('kube-apiserver', r'kube-apiserver'),
      ('etcd', r'etcd'),
      ('kwok', r'kwok'),
      ('kine', r'kine'),
      ('keda', r'keda'),
      ('kube-other', r'kube-|kubelet|scheduler|controller-manager'),
      ('prometheus', r'prometheus|alertmanager'),
      ('postgres', r'postgres'),
      ('redis', r'redis'),
      ('nginx', r'nginx'),
      ('tsc', r'\btsc\b|typescript'),
      ('eslint', r'eslint|repo lint'),
      ('prettier', r'prettier'),
      ('portal-backend', r'backend start|packages/backend|bundle|dist/index'),
      ('sandbox-node', r'sandbox'),
      ('yarn', r'yarn'),
      ('node-other', r'node'),
      ('go', r'\bgo\b|compile|link'),
      ('shell', r'bash|sh |awk|grep|sed|curl|sleep'),
    ]
    for name, rx in rules:
        if re.search(rx, c):
            return 'node:' + c[:90] if name == 'node-other' else name
    return 'other:' + c[:40]
def phase():
    try:
        with open(log,'rb') as f:
            f.seek(0,2); size=f.tell(); f.seek(max(0,size-400000))
            data=f.read().decode(errors='replace')
    except Exception: return 'start'
    last='start'
    for m in re.finditer(r'\[portal\]\x1b\[0m (type check|lint|prettier|unit tests that need no sandbox \(|integration tests that need no Kubernetes|unit and integration tests of the other|tests that stop a sandbox part, kafka|end-to-end tests \(Play|end-to-end tests of the production)', data): last=m.group(1)
    return last
def ticks(pid):
    try:
        s=open(f'/proc/{pid}/stat').read()
        f=s[s.rfind(')')+2:].split()
        return int(f[11])+int(f[12])
    except Exception: return None
t0=time.time()
for d in os.listdir('/proc'):
    if d.isdigit():
        t=ticks(int(d)); c=cat_of(int(d))
        if t is not None and c is not None: seen[int(d)]=(t,c)
while True:
    ph=phase()
    now={}
    for d in os.listdir('/proc'):
        if not d.isdigit(): continue
        pid=int(d)
        t=ticks(pid)
        if t is None: continue
        if pid in seen:
            prev,c=seen[pid]
        else:
            prev,c=0,cat_of(pid)
            if c is None: continue
        delta=t-prev
        if delta>0:
            totals[(ph,c)]=totals.get((ph,c),0)+delta
        now[pid]=(t,c)
    seen=now
    with open(out,'w') as f:
        json.dump({'elapsed':time.time()-t0,'totals':[[p,c,v/HZ] for (p,c),v in sorted(totals.items())]},f)
    time.sleep(2)
