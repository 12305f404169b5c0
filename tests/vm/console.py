#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn a vm-tier machine's serial console into one TAP stream.

Reads the console (QEMU's serial output) on standard input while the machine runs and writes
TAP on standard output as the results arrive: the "@@VM" lines of the guest's /init (init.sh)
frame the output of each test program, whose own TAP (GLib's --tap) is renumbered into one
sequence; everything else becomes a "#" comment.  A test program that crashes, bails out, exits
with a non-zero status or runs fewer tests than its plan says adds a failing test point, and so
does a machine that stops before /init said DONE.  The plan comes last.

Exit status: 0 when every test point passed or was skipped, 1 otherwise.
"""

import argparse
import json
import re
import sys

TEST_RE = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*([^#]*)(#.*)?$')
PLAN_RE = re.compile(r'^1\.\.(\d+)')
SKIP_RE = re.compile(r'#\s*skip\S*\s*(.*)$', re.IGNORECASE)
TODO_RE = re.compile(r'#\s*todo\b', re.IGNORECASE)
# Terminal control sequences (firmware and the kernel may send some) and stray bytes.
CONTROL_RE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|[\x00-\x08\x0b-\x1f\x7f]')


class Merger:
    def __init__(self, machine, out, must_not_skip):
        self.machine = machine
        self.out = out
        self.must_not_skip = re.compile(must_not_skip) if must_not_skip else None
        self.number = 0
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.skips = []
        self.failures = []
        self.done = False
        self.program = None
        self.last_program = None

    def emit(self, line):
        self.out.write(line + '\n')
        self.out.flush()

    def comment(self, text):
        self.emit('# ' + text if text else '#')

    def point(self, ok, description, directive=''):
        self.number += 1
        text = '%s %d %s' % ('ok' if ok else 'not ok', self.number, description.strip())
        if directive:
            text += ' ' + directive
        self.emit(text)
        if directive and TODO_RE.match(directive):
            # Expected to fail, or an unexpected pass: not counted either way.
            self.skipped += 1
            self.skips.append('%s: %s' % (description.strip(), directive))
        elif not ok:
            self.failed += 1
            self.failures.append(description.strip())
        elif directive and SKIP_RE.match(directive):
            self.skipped += 1
            self.skips.append('%s: %s' % (description.strip(),
                                          SKIP_RE.match(directive).group(1)))
        else:
            self.passed += 1

    def begin(self, name):
        if self.program:
            self.end(self.program['name'], None, None)
        self.program = {'name': name, 'ran': 0, 'bad': 0, 'plan': None, 'bail': None}
        self.last_program = name
        self.comment('%s: %s starts' % (self.machine, name))

    def end(self, name, status, msecs):
        prog = self.program
        self.program = None
        if prog is None or prog['name'] != name:
            self.point(False, '%s: %s ended without having begun' % (self.machine, name))
            return
        where = '%s: %s' % (self.machine, name)
        if msecs is not None:
            self.comment('%s took %.1f s' % (where, msecs / 1000.0))
        if prog['bail'] is not None:
            self.point(False, '%s bailed out: %s' % (where, prog['bail']))
        elif status is None:
            self.point(False, '%s never ended (the machine stopped inside it)' % where)
        elif status == 77 and prog['ran'] == 0:
            self.point(True, where, '# SKIP the program exited with 77 (skip)')
        elif status != 0:
            reason = 'exited with status %d' % status
            if status in (124, 143, 137):
                reason += ' (killed by its timeout)'
            elif status > 128:
                reason += ' (signal %d)' % (status - 128)
            self.point(False, '%s %s' % (where, reason))
        elif prog['plan'] is None:
            self.point(False, '%s printed no TAP plan' % where)
        elif prog['plan'] != prog['ran']:
            self.point(False, '%s planned %d tests and ran %d' %
                       (where, prog['plan'], prog['ran']))

    def program_line(self, line):
        prog = self.program
        m = TEST_RE.match(line)
        if m:
            ok = m.group(1) == 'ok'
            description = m.group(3).strip()
            directive = (m.group(4) or '').strip()
            prog['ran'] += 1
            if ok and directive and SKIP_RE.match(directive) and self.must_not_skip:
                reason = SKIP_RE.match(directive).group(1)
                if self.must_not_skip.search(reason):
                    self.comment('%s: this machine delivers what the skip says is missing' %
                                 self.machine)
                    ok = False
                    description += ' (skipped, but this machine must run it: %s)' % reason
                    directive = ''
            self.point(ok, description, directive)
            return
        m = PLAN_RE.match(line)
        if m:
            if prog['plan'] is not None:
                prog['bail'] = 'a second plan line: ' + line
            prog['plan'] = int(m.group(1))
            return
        if line.startswith('Bail out!'):
            prog['bail'] = line[len('Bail out!'):].strip() or 'no reason given'
            self.comment(line)
            return
        if line.startswith('TAP version'):
            return
        if line.startswith('#'):
            self.emit(line)
            return
        self.comment(line)

    def feed(self, raw):
        line = CONTROL_RE.sub('', raw.rstrip('\r\n')).rstrip()
        # The marker may follow left-over console output on the same line.
        at = line.find('@@VM ')
        if at > 0:
            self.feed(line[:at])
            line = line[at:]
        if line.startswith('@@VM '):
            words = line.split(None, 2)
            kind = words[1] if len(words) > 1 else ''
            rest = words[2] if len(words) > 2 else ''
            if kind == 'INFO':
                self.comment('%s: %s' % (self.machine, rest))
            elif kind == 'BEGIN':
                self.begin(rest.strip())
            elif kind == 'END':
                parts = rest.split()
                try:
                    status = int(parts[1])
                    msecs = int(parts[2])
                except (IndexError, ValueError):
                    status, msecs = None, None
                self.end(parts[0] if parts else '?', status, msecs)
            elif kind == 'DONE':
                self.done = True
            else:
                self.comment('console: ' + line)
            return
        if self.program:
            self.program_line(line)
        elif line:
            self.comment('console: ' + line)

    def finish(self):
        if self.program:
            self.end(self.program['name'], None, None)
        if not self.done:
            where = ' (last program started: %s)' % self.last_program if self.last_program \
                else ''
            self.point(False, '%s: the machine stopped before its tests were done%s' %
                       (self.machine, where))
        for skip in self.skips:
            self.comment('%s: skipped: %s' % (self.machine, skip))
        for failure in self.failures:
            self.comment('%s: failed: %s' % (self.machine, failure))
        self.comment('%s: %d passed, %d failed, %d skipped' %
                     (self.machine, self.passed, self.failed, self.skipped))
        self.emit('1..%d' % self.number)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--machine', default='vm', help='name used in test descriptions')
    parser.add_argument('--log', help='also write the raw console to this file')
    parser.add_argument('--summary', help='write the counts as JSON to this file')
    parser.add_argument('--must-not-skip', metavar='REGEX',
                        help='a skip whose reason matches this fails: the machine '
                        'is known to deliver that feature')
    args = parser.parse_args()

    merger = Merger(args.machine, sys.stdout, args.must_not_skip)
    log = open(args.log, 'w', encoding='utf-8') if args.log else None
    stream = open(sys.stdin.fileno(), 'r', encoding='utf-8', errors='replace', newline='\n',
                  closefd=False)
    for raw in stream:
        if log:
            log.write(raw)
            log.flush()
        merger.feed(raw)
    merger.finish()
    if log:
        log.close()
    if args.summary:
        with open(args.summary, 'w', encoding='utf-8') as out:
            json.dump({'machine': args.machine, 'passed': merger.passed,
                       'failed': merger.failed, 'skipped': merger.skipped,
                       'done': merger.done}, out)
            out.write('\n')
    return 1 if merger.failed else 0


if __name__ == '__main__':
    sys.exit(main())
