#!/usr/bin/env python3
"""Reports Swift source files over 400 lines and functions (func, init, closures passed as bodies excluded)
over 60 lines under Sources/. Exits 1 when any is found. Braces inside strings and comments are skipped."""
import pathlib, re, sys

MAX_FILE, MAX_FUNC = 400, 60
DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|private|fileprivate|internal|static|mutating|nonmutating|override|final|convenience|required|nonisolated|@inlinable|@usableFromInline)\s+)*(?:func\s+\S+|init[?!]?\s*[(<]|deinit\b)')

def strip(line, in_block):
    out, i = [], 0
    while i < len(line):
        if in_block:
            end = line.find('*/', i)
            if end < 0: return ''.join(out), True
            i, in_block = end + 2, False
        elif line.startswith('//', i): break
        elif line.startswith('/*', i): in_block, i = True, i + 2
        elif line[i] == '"':
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == '\\' else 1
            i = j + 1
        else:
            out.append(line[i]); i += 1
    return ''.join(out), in_block

problems = []
for path in sorted(pathlib.Path('Sources').rglob('*.swift')):
    lines = path.read_text().split('\n')
    if len(lines) - 1 > MAX_FILE:
        problems.append(f'{path}: {len(lines) - 1} lines (limit {MAX_FILE})')
    in_block, stack, depth, in_multiline, pending = False, [], 0, False, None
    for number, raw in enumerate(lines, 1):
        if raw.count('"""') % 2 == 1:
            in_multiline = not in_multiline
            continue
        if in_multiline: continue
        code, in_block = strip(raw, in_block)
        if DECL.match(code):
            pending = (depth, number, code.strip()[:60])
        if pending and '{' in code:
            stack.append(pending)
            pending = None
        depth += code.count('{') - code.count('}')
        while stack and depth <= stack[-1][0]:
            start_depth, start, name = stack.pop()
            length = number - start + 1
            if length > MAX_FUNC:
                problems.append(f'{path}:{start}: {name} is {length} lines (limit {MAX_FUNC})')
print('\n'.join(problems) if problems else 'sizes: every file and function within limits')
sys.exit(1 if problems else 0)
