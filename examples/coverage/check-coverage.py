#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run the coverage example on a series of inputs and compare what it reports with the
guest's model (gen_guest.py) exactly: the mode the probe allows, every input's new blocks and
result in every round, every round's coverage.

Exit status: 0 when everything matches, 1 on any difference or failure, 77 (skipped) when
the machine has no usable KVM or, for an explicit --mode, when the example's probe finds that
this host's KVM does not deliver the exits that mode needs (the probe's finding is printed).
"""

import argparse
import json
import os
import re
import subprocess
import sys

# The generator's own model, from the source directory (left without a __pycache__).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_guest  # noqa: E402

SKIP = 77
MODES = ('sw', 'hw', 'step')


def run(cmd):
    print('$ ' + ' '.join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False, timeout=600)
    sys.stdout.write(proc.stdout)
    return proc.returncode, proc.stdout


def fail(msg):
    print('FAIL: ' + msg)
    return 1


def blocks_str(blocks):
    blocks = sorted(blocks)
    text = ' '.join(map(str, blocks[:20]))
    return text + (' ... (%d in all)' % len(blocks) if len(blocks) > 20 else '')


def probe(exe):
    """The example's own probe: {mode: (works, finding)}, or an exit status."""
    rc, out = run([exe, '--probe'])
    if rc == SKIP:
        print('SKIP: no usable KVM')
        return SKIP
    if rc != 0:
        return fail('kvmdbg-coverage --probe exited with %d' % rc)
    found = {}
    for line in out.splitlines():
        m = re.match(r'probe (\w+): (yes|no): (.*)$', line)
        if m:
            found[m.group(1)] = (m.group(2) == 'yes', m.group(3))
    if sorted(found) != sorted(MODES):
        return fail('the probe did not report on every mode: %s' % sorted(found))
    return found


def compare(args, model, out):
    expect = gen_guest.expected_coverage(model, args.seed, args.inputs, args.rounds,
                                         args.fresh)
    got = {}
    for line in out.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == 'cov-blocks' and int(fields[1]) != model['nr_blocks']:
            return fail('the example has %s blocks, the model %d' %
                        (fields[1], model['nr_blocks']))
        if fields[0] == 'cov-input':
            # cov-input ROUND INPUT RESULT COUNT BLOCK...
            r, k, count = int(fields[1]), int(fields[2]), int(fields[4])
            result = int(fields[3], 16)
            blocks = [int(b) for b in fields[5:]]
            if len(blocks) != count or (r, k) in got:
                return fail('malformed or repeated line: %s' % line)
            got[(r, k)] = (blocks, result)
    if len(got) != args.rounds * args.inputs:
        return fail('%d inputs reported, %d expected' % (len(got), args.rounds * args.inputs))

    errors = 0
    for r in range(args.rounds):
        for k in range(args.inputs):
            want_blocks, want_result = expect[r][k]
            blocks, result = got[(r, k)]
            if result != want_result:
                print('round %d input %d: guest result 0x%04x, the model says 0x%04x' %
                      (r + 1, k, result, want_result))
                errors += 1
            missing = set(want_blocks) - set(blocks)
            extra = set(blocks) - set(want_blocks)
            if missing or extra:
                print('round %d input %d: %d new blocks reported, %d expected' %
                      (r + 1, k, len(blocks), len(want_blocks)))
                if missing:
                    print('  missing: ' + blocks_str(missing))
                if extra:
                    print('  not expected: ' + blocks_str(extra))
                errors += 1

    # The human-readable totals, too.
    totals = [int(m.group(1)) for m in re.finditer(r'round coverage: (\d+) of', out)]
    want_totals = [len(set().union(*(set(b) for b, _ in per_input))) for per_input in expect]
    if totals != want_totals:
        print('round coverage printed %s, the model says %s' % (totals, want_totals))
        errors += 1
    if errors:
        return fail('%d differences from the model' % errors)
    print('ok: %d rounds of %d inputs (seed %d%s): every new-block set and guest result '
          'equals the model\'s; round coverage %s of %d blocks' %
          (args.rounds, args.inputs, args.seed, ', fresh' if args.fresh else '',
           want_totals, model['nr_blocks']))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--exe', required=True, help='the kvmdbg-coverage program')
    parser.add_argument('--model', required=True, help='coverage-model.json of the build')
    parser.add_argument('--mode', default='auto', choices=('auto',) + MODES)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--inputs', type=int, default=8)
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--reset', default='rearm', choices=('rearm', 'snapshot'))
    parser.add_argument('--fresh', action='store_true')
    args = parser.parse_args()

    with open(args.model, encoding='utf-8') as f:
        model = json.load(f)

    found = probe(args.exe)
    if not isinstance(found, dict):
        return found
    if args.mode == 'auto':
        working = [m for m in MODES if found[m][0]]
        if not working:
            return fail('the probe found no mode that works on this host')
        mode = working[0]
    else:
        mode = args.mode
        if not found[mode][0]:
            print('SKIP: this host\'s KVM does not deliver what --mode=%s needs: %s' %
                  (mode, found[mode][1]))
            return SKIP

    cmd = [args.exe, '--mode=' + args.mode, '--seed=%d' % args.seed,
           '--inputs=%d' % args.inputs, '--rounds=%d' % args.rounds,
           '--reset=' + args.reset, '--list']
    if args.fresh:
        cmd.append('--fresh')
    rc, out = run(cmd)
    if rc != 0:
        return fail('kvmdbg-coverage exited with %d' % rc)
    modes = re.findall(r'^cov-mode (\w+)$', out, re.M)
    if modes != [mode]:
        return fail('the example ran in mode %s; the probe calls for %s' % (modes, mode))
    return compare(args, model, out)


if __name__ == '__main__':
    sys.exit(main())
