#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The guest of the coverage example: a program of a few thousand basic blocks whose branches
depend on input bytes, generated at build time as 16-bit x86 assembly.

This module is also the model of that program.  It knows every block's branch, so for any
input it tells which blocks run (run_input()), and for a series of inputs which blocks are new
to each (expected_coverage()).  The build writes the model next to the assembly as JSON; the
example's test (check-coverage.py) loads it and compares the example's report with it.

The program, in real mode (coverage-layout.h has the addresses):

    top:    xor   %dx, %dx                  # the path hash
            out   %al, $COV_PORT_READY      # the host loads the next input
            nop
    b0:     add   $hash0, %dx               # every block adds its own constant
            testb $mask, COV_INPUT+k        # 'bit':   taken if input[k] & mask
            jnz   b<t>
    b1:     add   $hash1, %dx
            cmpb  $value, COV_INPUT+k       # 'below': taken if input[k] < value
            jb    b<t>
    b2:     ...   cmpb + je                 # 'equal': taken if input[k] == value (rarely)
    b3:     add   $hash3, %dx
            jmp   b<t>                      # 'jump':  always taken
            ...
    bN-1:   add   $hashN-1, %dx             # the sink, where every path ends
            mov   %dx, COV_RESULT
            jmp   top

Every branch goes forward (t > i), and a block that does not branch falls through to the next
one, so every path ends in the sink.  The guest's own result, the 16-bit sum of the hashes of
the blocks it ran, lets the test tell a wrong model from a wrong coverage report.

Inputs are made from a seed and an index by splitmix64, in the same way as the example does
(make_input() here, make_input() in coverage.c).
"""

import argparse
import json
import random
import sys

KINDS = ('bit', 'below', 'equal', 'jump')
MASK64 = (1 << 64) - 1


def make_model(nr_blocks, input_len, seed):
    """The block structure: a list of dicts with kind, byte (input offset), value, target
    and hash, in address order."""
    rng = random.Random(seed)
    blocks = []
    for i in range(nr_blocks - 1):
        # Mostly short hops forward, some longer ones, a few that skip hundreds of blocks.
        roll = rng.random()
        if roll < 0.70:
            hop = rng.randint(0, 6)
        elif roll < 0.95:
            hop = rng.randint(7, 40)
        else:
            hop = rng.randint(41, 300)
        target = min(i + 2 + hop, nr_blocks - 1)

        roll = rng.random()
        if roll < 0.50:
            kind, value = 'bit', 1 << rng.randint(0, 7)
        elif roll < 0.75:
            kind, value = 'below', rng.randint(1, 255)
        elif roll < 0.85:
            kind, value = 'equal', rng.randint(0, 255)
        else:
            kind, value = 'jump', 0
        blocks.append({
            'kind': kind,
            'byte': rng.randrange(input_len) if kind != 'jump' else 0,
            'value': value,
            'target': target,
            'hash': rng.randrange(1 << 16),
        })
    blocks.append({'kind': 'sink', 'byte': 0, 'value': 0, 'target': 0,
                   'hash': rng.randrange(1 << 16)})
    return {
        'nr_blocks': nr_blocks,
        'input_len': input_len,
        'seed': seed,
        'blocks': blocks,
    }


def splitmix64(state):
    """One step of splitmix64: (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def make_input(seed, index, input_len):
    """Input number index of the series of a seed: input_len bytes of splitmix64 output,
    each 64-bit word little-endian, from the state (seed << 32) ^ index."""
    state = ((seed << 32) ^ index) & MASK64
    out = bytearray()
    while len(out) < input_len:
        state, word = splitmix64(state)
        out += word.to_bytes(8, 'little')
    return bytes(out[:input_len])


def taken(block, data):
    b = data[block['byte']]
    kind = block['kind']
    if kind == 'bit':
        return b & block['value'] != 0
    if kind == 'below':
        return b < block['value']
    if kind == 'equal':
        return b == block['value']
    return kind == 'jump'


def run_input(model, data):
    """The blocks the guest runs for an input, in order, and its result (the path hash)."""
    blocks = model['blocks']
    path = []
    digest = 0
    i = 0
    while True:
        path.append(i)
        digest = (digest + blocks[i]['hash']) & 0xFFFF
        if blocks[i]['kind'] == 'sink':
            return path, digest
        i = blocks[i]['target'] if taken(blocks[i], data) else i + 1


def expected_coverage(model, seed, nr_inputs, rounds, fresh):
    """What the example must report for inputs 0 .. nr_inputs-1 of a seed, run rounds times,
    with every breakpoint armed again before each round (and before each input if fresh):
    a list of rounds, each a list of (new blocks as a sorted list, result) per input."""
    out = []
    for _ in range(rounds):
        seen = set()
        per_input = []
        for k in range(nr_inputs):
            if fresh:
                seen = set()
            path, digest = run_input(model, make_input(seed, k, model['input_len']))
            new = sorted(set(path) - seen)
            seen |= set(path)
            per_input.append((new, digest))
        out.append(per_input)
    return out


def write_asm(model, out):
    w = out.write
    w('/* Generated by gen_guest.py (seed %d): do not edit. */\n' % model['seed'])
    w('#include "coverage-layout.h"\n\n')
    w('\t.section .rodata.cov_guest, "a"\n')
    w('\t.globl cov_guest_start, cov_guest_end\n')
    w('\t.hidden cov_guest_start, cov_guest_end\n')
    w('\t.code16\n')
    w('cov_guest_start:\n')
    w('cov_top:\n')
    w('\txor\t%dx, %dx\n')
    w('\tout\t%al, $COV_PORT_READY\n')
    w('\tnop\n')
    for i, b in enumerate(model['blocks']):
        w('cov_b%d:\n' % i)
        w('\tadd\t$0x%04x, %%dx\n' % b['hash'])
        kind = b['kind']
        if kind == 'bit':
            w('\ttestb\t$0x%02x, COV_INPUT+%d\n' % (b['value'], b['byte']))
            w('\tjnz\tcov_b%d\n' % b['target'])
        elif kind == 'below':
            w('\tcmpb\t$0x%02x, COV_INPUT+%d\n' % (b['value'], b['byte']))
            w('\tjb\tcov_b%d\n' % b['target'])
        elif kind == 'equal':
            w('\tcmpb\t$0x%02x, COV_INPUT+%d\n' % (b['value'], b['byte']))
            w('\tje\tcov_b%d\n' % b['target'])
        elif kind == 'jump':
            w('\tjmp\tcov_b%d\n' % b['target'])
        else:
            w('\tmov\t%dx, COV_RESULT\n')
            w('\tjmp\tcov_top\n')
    w('cov_guest_end:\n')
    w('\t.code64\n\n')

    w('\t.section .rodata\n')
    w('\t.balign 4\n')
    w('\t.globl cov_nr_blocks, cov_input_len, cov_block_offsets\n')
    w('\t.hidden cov_nr_blocks, cov_input_len, cov_block_offsets\n')
    w('cov_nr_blocks:\n\t.long %d\n' % model['nr_blocks'])
    w('cov_input_len:\n\t.long %d\n' % model['input_len'])
    w('/* Offset of every block from cov_guest_start, in block order. */\n')
    w('cov_block_offsets:\n')
    for i in range(model['nr_blocks']):
        w('\t.long cov_b%d - cov_guest_start\n' % i)
    w('\t.section .note.GNU-stack, "", %progbits\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)

    gen = sub.add_parser('generate', help='write the guest assembly and the model')
    gen.add_argument('--blocks', type=int, default=3000)
    gen.add_argument('--input-len', type=int, default=64)
    gen.add_argument('--seed', type=int, default=1)
    gen.add_argument('--asm', required=True, help='the .S file to write')
    gen.add_argument('--model', required=True, help='the JSON model to write')

    exp = sub.add_parser('expect', help='print the expected coverage for a series of inputs')
    exp.add_argument('--model', required=True)
    exp.add_argument('--seed', type=int, default=1)
    exp.add_argument('--inputs', type=int, default=8)
    exp.add_argument('--rounds', type=int, default=1)
    exp.add_argument('--fresh', action='store_true')

    args = parser.parse_args()
    if args.command == 'generate':
        if args.blocks < 2 or not 1 <= args.input_len <= 256:
            parser.error('need at least 2 blocks and 1 to 256 input bytes')
        model = make_model(args.blocks, args.input_len, args.seed)
        with open(args.asm, 'w', encoding='utf-8') as out:
            write_asm(model, out)
        with open(args.model, 'w', encoding='utf-8') as out:
            json.dump(model, out, separators=(',', ':'))
            out.write('\n')
        return 0

    with open(args.model, encoding='utf-8') as f:
        model = json.load(f)
    for r, per_input in enumerate(expected_coverage(model, args.seed, args.inputs,
                                                    args.rounds, args.fresh)):
        for k, (new, digest) in enumerate(per_input):
            print('round %d input %d result 0x%04x new %d: %s' %
                  (r, k, digest, len(new), ' '.join(map(str, new))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
