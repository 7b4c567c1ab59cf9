#!/usr/bin/env python3
"""Write doc/man/mugai.conf.5 from the key table in src/common/config.c.
Run after adding a key (test_config checks the man page has every key)."""
import os
import re

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
src = open(os.path.join(root, 'src/common/config.c'), encoding='utf-8').read()
rows = re.findall(r'\{ "(\w+)", "(\w+)", MG_CONF_\w+, "([^"]*)",.*?OFF \([\w.]+\),\s*"([^"]*)"',
                  src, re.S)
out = ['.TH MUGAI.CONF 5 "2026-11-22" "mugai" "File Formats"', '.SH NAME',
       'mugai.conf \\- configuration of mugai and mugai-milter', '.SH DESCRIPTION',
       'An INI file (GKeyFile). Unknown keys, values out of bounds or not among the '
       'choices are configuration errors (exit 78). A value may carry a comment after '
       'whitespace, starting with ; or #.']
group = None
for g, k, d, doc in rows:
    if g != group:
        out.append('.SH [%s]' % g)
        group = g
    out += ['.TP', '.B %s = %s' % (k, d), doc]
out += ['.SH SEE ALSO', '.BR mugai (1),', '.BR mugai-milter (8)']
with open(os.path.join(root, 'doc/man/mugai.conf.5'), 'w', encoding='utf-8') as f:
    f.write('\n'.join(out) + '\n')
print('%d keys' % len(rows))
