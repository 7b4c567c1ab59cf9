/* exit.h - the exit statuses every mugai program uses (sysexits values, plus
 * 3 for "withheld", documented in mugai(1), and clamscan's 1 for "refused / found"). */
#pragma once

enum {
  MG_EXIT_OK = 0,
  MG_EXIT_REFUSED = 1, /* refused (role, state, no such user) or problems found */
  MG_EXIT_WITHHELD = 3,
  MG_EXIT_USAGE = 64,
  MG_EXIT_OSERR = 71, /* a socket or pid file could not be made */
  MG_EXIT_TEMPFAIL = 75,
  MG_EXIT_CONFIG = 78,
};
