#!/usr/bin/python3
"""A third-party Consul client against the lab: Debian's python3-consul.

python-consul 0.7.1 (/usr/lib/python3/dist-packages/consul/base.py) against
`meshpad lab up` with no design, node one's :8500:
  1. agent.service.register: PUT /v1/agent/service/register with lower-case
     keys (name, id, port, tags, check {tcp, interval}); 0.7.1 has no Connect
     argument, so the service is a plain one. True;
  2. agent.services(): the service as registered;
  3. catalog.services(): (X-Consul-Index, {name: tags}); the index moved past
     the one before the registration; the same service is in the catalog asked
     on node three;
  4. health.service(name, passing=True), followed with blocking queries until
     the TCP check passes: node one, the service, its check "passing";
  5. catalog.services(index=I, wait='2s') with nothing changing holds for the
     wait and returns the same index; a second one (wait='30s') returns as
     soon as another service registers on node two;
  6. agent.service.deregister(): 0.7.1 sends it as a GET, which Consul has
     answered 405 since 1.0 (hashicorp/consul: agent/http.go, the endpoint is
     PUT-only), so the library reports False and the service stays; the same
     request as a PUT through the library's HTTP client removes it;
  7. SIGINT stops the lab: exit status 0.
KV is not served by the lab and not tried here. Measured times are printed.

usage: consul_client.test.py <meshpad executable>
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# python-consul's Consul() prefers CONSUL_HTTP_ADDR over its host argument.
for name in ('CONSUL_HTTP_ADDR', 'CONSUL_HTTP_SSL', 'CONSUL_HTTP_SSL_VERIFY', 'CONSUL_HTTP_TOKEN'):
    os.environ.pop(name, None)

import consul  # noqa: E402  (after the environment is clean)
import consul.base  # noqa: E402


def step(text):
    print(f'# {text}', flush=True)


def ok(n, text):
    print(f'ok {n} - {text}', flush=True)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def until(what, timeout, probe):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f'timed out waiting for {what}')
        time.sleep(0.1)


class Lab:
    """`meshpad lab up` in a session (process group) of its own, with its own
    HOME and XDG directories; stdout and stderr collected by threads."""

    def __init__(self, meshpad, home):
        runtime = os.path.join(home, 'run')
        os.mkdir(runtime, 0o700)
        env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=runtime,
                   XDG_DATA_HOME=os.path.join(home, 'data'),
                   XDG_CONFIG_HOME=os.path.join(home, 'config'),
                   XDG_CACHE_HOME=os.path.join(home, 'cache'))
        self.process = subprocess.Popen([meshpad, 'lab', 'up'], env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        start_new_session=True, text=True)
        self.out = []
        self.err = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lambda s=stream, l=lines: [l.append(x) for x in s], daemon=True).start()

    def nodes(self):
        def node_lines():
            lines = [line for line in list(self.out) if line.startswith('node ')]
            return lines if len(lines) >= 3 else None

        lines = until('three node lines', 20, node_lines)
        nodes = {}
        for line in lines:
            m = re.fullmatch(r'node (\w+) consul http://(127\.\d+\.1\.[123]):8500 nomad http://\S+:4646\n?', line)
            check(m, f'not a node line: {line!r}')
            nodes[m.group(1)] = m.group(2)
        return nodes

    def stop(self, timeout):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return 'timeout'

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()


def main(meshpad):
    home = tempfile.mkdtemp(prefix='meshpad-pyconsul-home-')
    lab = None
    try:
        step('meshpad lab up with no design')
        lab = Lab(meshpad, home)
        nodes = lab.nodes()
        check(set(nodes) == {'one', 'two', 'three'}, f'nodes: {nodes}')
        one = consul.Consul(host=nodes['one'], port=8500)
        two = consul.Consul(host=nodes['two'], port=8500)
        three = consul.Consul(host=nodes['three'], port=8500)
        before, services = one.catalog.services()
        check(services == {}, f'a fresh lab lists services: {services}')

        step('agent.service.register (python-consul 0.7.1 has no Connect argument: a plain service)')
        registered = one.agent.service.register(
            'web', service_id='web-1', port=8080, tags=['v1', 'py'],
            check=consul.Check.tcp(nodes['one'], 8500, '1s'))
        check(registered is True, f'register returned {registered!r}')
        ok(1, f'registered web-1 on one ({nodes["one"]}) with a TCP check')

        step('agent.services()')
        local = one.agent.services()
        web = local.get('web-1')
        check(web is not None, f'agent.services(): {local}')
        check(web['Service'] == 'web' and web['Port'] == 8080 and web['Tags'] == ['v1', 'py'] and web['ID'] == 'web-1',
              f'agent.services()["web-1"]: {web}')
        check(set(local) == {'web-1'}, f'agent.services() lists {sorted(local)}')
        ok(2, f'agent.services(): web-1 {web}')

        step('catalog.services(): the index and the services')
        index, catalog = one.catalog.services()
        check(re.fullmatch(r'[1-9]\d*', index), f'catalog index {index!r}')
        check(int(index) > int(before), f'catalog index {index} did not move past {before} with the registration')
        check(catalog == {'web': ['v1', 'py']}, f'catalog.services(): {catalog}')
        _, elsewhere = three.catalog.services()
        check(elsewhere == catalog, f'node three: {elsewhere}')
        ok(3, f'catalog.services(): index {before} → {index}, {catalog} (node three too)')

        step('health.service("web", passing=True), with blocking queries until the check passes')
        started = time.monotonic()
        health_index, entries = one.health.service('web', passing=True)
        queries = 1
        while not entries:
            check(time.monotonic() - started < 30, 'web-1 never passed its TCP check')
            health_index, entries = one.health.service('web', index=health_index, wait='10s', passing=True)
            queries += 1
        check(len(entries) == 1, f'health.service: {entries}')
        entry = entries[0]
        check(entry['Node']['Node'] == 'one' and entry['Node']['Address'] == nodes['one'], f'node {entry["Node"]}')
        check(entry['Service']['ID'] == 'web-1' and entry['Service']['Port'] == 8080, f'service {entry["Service"]}')
        checks = {c['CheckID']: c for c in entry['Checks']}
        check(checks.get('service:web-1', {}).get('Status') == 'passing', f'checks {entry["Checks"]}')
        check(int(health_index) >= checks['service:web-1']['ModifyIndex'],
              f'health index {health_index} below the check\'s ModifyIndex {checks["service:web-1"]["ModifyIndex"]}')
        ok(4, f'health.service: web-1 on one passing ("{checks["service:web-1"]["Output"]}") after '
              f'{(time.monotonic() - started) * 1000:.0f} ms / {queries} queries, index {health_index}')

        step("catalog.services(index=, wait='2s') with nothing changing")
        index, catalog = one.catalog.services()
        started = time.monotonic()
        held_index, held = one.catalog.services(index=index, wait='2s')
        held_s = time.monotonic() - started
        # Consul holds for the wait plus up to wait/16 of jitter; the lab's
        # timers may fire up to 5 % early (Qt coarse timers).
        check(held_index == index and held == catalog, f'after the wait: {held_index} {held}')
        check(held_s >= 1.9, f"wait='2s' answered after {held_s:.3f} s")
        check(held_s < 10, f"wait='2s' answered only after {held_s:.3f} s")

        step("catalog.services(index=, wait='30s') woken by a registration on node two")
        woken = {}

        def block():
            t0 = time.monotonic()
            woken['result'] = one.catalog.services(index=index, wait='30s')
            woken['seconds'] = time.monotonic() - t0

        waiter = threading.Thread(target=block)
        waiter.start()
        time.sleep(0.5)  # not synchronization: the query may start after the registration and still pass
        registered_at = time.monotonic()
        check(two.agent.service.register('api', service_id='api-1', port=9001) is True, 'register api on two')
        waiter.join(40)
        check(not waiter.is_alive(), 'the blocking query never returned')
        woken_index, woken_catalog = woken['result']
        check(int(woken_index) > int(index), f'woken with index {woken_index}, not past {index}')
        check(woken_catalog == {'web': ['v1', 'py'], 'api': []}, f'woken with {woken_catalog}')
        check(woken['seconds'] < 25, f'the blocking query held {woken["seconds"]:.1f} s despite the registration')
        ok(5, f"blocking catalog.services: wait='2s' held {held_s:.3f} s (index {held_index}); wait='30s' woke "
              f'{(time.monotonic() - registered_at) * 1000:.0f} ms after the registration on two, index {woken_index}')

        step('agent.service.deregister()')
        answered = one.agent.service.deregister('web-1')
        check(answered is False, f'deregister (a GET) returned {answered!r}')
        check('web-1' in one.agent.services(), 'a GET deregistered web-1')
        removed = one.http.put(consul.base.CB.bool(), '/v1/agent/service/deregister/web-1')
        check(removed is True, f'PUT deregister returned {removed!r}')
        check(one.agent.services() == {}, f'agent.services() after the deregistration: {one.agent.services()}')
        _, catalog = one.catalog.services()
        check(catalog == {'api': []}, f'catalog after the deregistration: {catalog}')
        two.http.put(consul.base.CB.bool(), '/v1/agent/service/deregister/api-1')
        ok(6, 'deregister() as 0.7.1 sends it (GET): False, 405 like Consul >= 1.0; as a PUT: True, web left '
              'the agent and the catalog')

        code = lab.stop(15)
        check(code == 0, f'meshpad lab up exit: {code}; stderr: {"".join(lab.err)}')
        ok(7, 'the lab stopped with status 0')
        return 0
    except (Failure, consul.base.ConsulException, OSError) as error:
        print(f'not ok - {type(error).__name__}: {error}', flush=True)
        if lab:
            print('--- lab stderr\n' + ''.join(lab.err), file=sys.stderr)
        return 1
    finally:
        if lab:
            lab.kill()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print('usage: consul_client.test.py <meshpad>', file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
