"""fidelity_common.py - what the fidelity benchmarks (bounces.py, office.py,
pdf_text.py) share: the mugai configuration they run with, and the text
overlap they report."""
import collections
import os


def write_conf(tmp):
    """A mugai.conf in TMP: its own quarantine there, and the ClamAV
    database named by $MUGAI_CLAMDB if set. Returns its path."""
    conf = os.path.join(tmp, 'mugai.conf')
    with open(conf, 'w') as f:
        f.write('[quarantine]\ndirectory = %s\n' % os.path.join(tmp, 'q'))
        db = os.environ.get('MUGAI_CLAMDB')
        if db:
            f.write('[clamav]\ndatabase = %s\n' % os.path.abspath(db))
    return conf


def overlap(a, b):
    """The share of A's characters (counted with repeats) found in B."""
    ca, cb = collections.Counter(a), collections.Counter(b)
    return sum(min(n, cb[c]) for c, n in ca.items()) / max(1, sum(ca.values()))
