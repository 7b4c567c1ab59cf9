/* classify_db.c - libmagic's compiled database without the top-level string
 * tests that need a '<', and the bytes for which that changes nothing.
 *
 * Why the answers are the same (checked against the file 5.44 sources, which
 * is why anything but libmagic 5.44 and its database format 18 gets NULL):
 * softmagic.c match() walks the entries in the database's order; a top-level
 * entry whose test fails is skipped with its continuations and leaves nothing
 * behind, so removing entries that cannot match a buffer leaves the answer
 * for that buffer as it was. A string or search test with relation '='
 * compares every byte of its value with a byte of the buffer, exactly unless
 * the value byte is a letter (the /c and /C flags) or a space (/w and /W), so
 * a value holding '<' matches only where the buffer holds '<'. libmagic
 * tests the buffer itself and, for text, the UTF-8 it converts it to
 * (encoding.c, ascmagic.c): from bytes that are all text bytes but '<' (tab,
 * newline, printable ASCII...) or 0x80-0xff, that conversion is ASCII,
 * UTF-8 (overlong forms are refused, so every multibyte character is
 * U+0080 or above), UTF-16 or -32 (U+003C would need a NUL byte),
 * ISO-8859 or extended ASCII, never EBCDIC (which needs a control byte):
 * no '<' appears. */
#include "pipeline/classify_db.h"

#include <gio/gio.h>
#include <magic.h>
#include <string.h>

#define MG_MAGIC_VERSION 544       /* the libmagic the proof was read from */
#define MG_MGC_MAGICNO 0xF11E041Cu /* file.h MAGICNO */
#define MG_MGC_VERSIONNO 18u       /* file.h VERSIONNO */
#define MG_MGC_ENTRY 376           /* sizeof (struct magic) */
#define MG_MGC_CONT_LEVEL 0        /* uint16_t cont_level */
#define MG_MGC_RELN 4              /* uint8_t reln */
#define MG_MGC_VALLEN 5            /* uint8_t vallen */
#define MG_MGC_TYPE 6              /* uint8_t type */
#define MG_MGC_VALUE 32            /* union VALUETYPE value */
#define MG_MGC_VALUE_SIZE 128      /* sizeof (union VALUETYPE) */
#define MG_MGC_FILE_STRING 5
#define MG_MGC_FILE_SEARCH 20

/* A magic source file that defines nothing (Debian's /etc/magic). */
static gboolean
source_empty (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++) {
    const char *p = *l + strspn (*l, " \t\r");
    if (*p != '\0' && *p != '#')
      return FALSE;
  }
  return TRUE;
}

/* The one compiled database magic_load (m, NULL) reads, or NULL when it reads
 * anything else as well (a directory, a source file with entries). */
static char *
system_mgc (void)
{
  g_auto (GStrv) parts = g_strsplit (magic_getpath (NULL, 0), ":", -1);
  char *found = NULL;

  for (char **p = parts; *p != NULL; p++) {
    g_autofree char *mgc = g_str_has_suffix (*p, ".mgc") ? g_strdup (*p)
                                                         : g_strconcat (*p, ".mgc", NULL);
    if (g_file_test (mgc, G_FILE_TEST_IS_REGULAR) && found == NULL)
      found = g_steal_pointer (&mgc);
    else if (g_file_test (mgc, G_FILE_TEST_EXISTS) ||
             (g_file_test (*p, G_FILE_TEST_EXISTS) && !source_empty (*p))) {
      g_free (found);
      return NULL;
    }
  }
  return found;
}

static guint32
word (const guint8 *p)
{
  guint32 w;

  memcpy (&w, p, sizeof w);
  return w;
}

/* A top-level string or search test "=" whose value holds '<'. */
static gboolean
needs_lt (const guint8 *entry)
{
  guint8 type = entry[MG_MGC_TYPE];
  gsize n = MIN (entry[MG_MGC_VALLEN], MG_MGC_VALUE_SIZE);

  return (type == MG_MGC_FILE_STRING || type == MG_MGC_FILE_SEARCH) &&
         entry[MG_MGC_RELN] == '=' && memchr (entry + MG_MGC_VALUE, '<', n) != NULL;
}

static guint16
cont_level (const guint8 *entry)
{
  guint16 level;

  memcpy (&level, entry + MG_MGC_CONT_LEVEL, sizeof level);
  return level;
}

/* Drop from set 0 (the entries match() walks; set 1 holds the named ones
 * "use" finds) every test needs_lt() names, with its continuations, keeping
 * the order; the new length. */
static gsize
drop_lt_tests (guint8 *db, guint32 n0, guint32 n1)
{
  guint8 *set0 = db + MG_MGC_ENTRY;
  gsize kept = 0;

  for (guint32 i = 0; i < n0;) {
    guint32 end = i + 1;
    while (end < n0 && cont_level (set0 + (gsize) end * MG_MGC_ENTRY) != 0)
      end++;
    if (!needs_lt (set0 + (gsize) i * MG_MGC_ENTRY)) {
      memmove (set0 + kept * MG_MGC_ENTRY, set0 + (gsize) i * MG_MGC_ENTRY,
               (gsize) (end - i) * MG_MGC_ENTRY);
      kept += end - i;
    }
    i = end;
  }
  memmove (set0 + kept * MG_MGC_ENTRY, set0 + (gsize) n0 * MG_MGC_ENTRY,
           (gsize) n1 * MG_MGC_ENTRY);
  memcpy (db + 8, &(guint32){ (guint32) kept }, sizeof (guint32));
  return (1 + kept + n1) * MG_MGC_ENTRY;
}

static GBytes *
build_reduced (void)
{
  g_autofree char *path = NULL;
  g_autofree char *db = NULL;
  gsize len = 0;
  guint32 n0, n1;

  if (magic_version () != MG_MAGIC_VERSION || (path = system_mgc ()) == NULL ||
      !g_file_get_contents (path, &db, &len, NULL) || len < MG_MGC_ENTRY)
    return NULL;
  n0 = word ((guint8 *) db + 8);
  n1 = word ((guint8 *) db + 12);
  if (word ((guint8 *) db) != MG_MGC_MAGICNO || word ((guint8 *) db + 4) != MG_MGC_VERSIONNO ||
      n0 > len / MG_MGC_ENTRY || n1 > len / MG_MGC_ENTRY ||
      ((gsize) n0 + n1 + 1) * MG_MGC_ENTRY != len)
    return NULL;
  len = drop_lt_tests ((guint8 *) db, n0, n1);
  return g_bytes_new_take (g_steal_pointer (&db), len);
}

GBytes *
mg_classify_db_reduced (void)
{
  static GBytes *reduced;
  static gsize once;

  if (g_once_init_enter (&once)) {
    reduced = build_reduced ();
    if (reduced == NULL)
      g_debug ("classify: no reduced magic database; every type comes from the full one");
    g_once_init_leave (&once, 1);
  }
  return reduced;
}

/* libmagic's text bytes (encoding.c text_chars: BEL to CR, ESC, space to
 * '~') but '<', and every byte from 0x80. */
static gboolean
covered_byte (guint8 c)
{
  return c >= 0x80 || (c >= ' ' && c <= '~' && c != '<') || (c >= 0x07 && c <= 0x0d) ||
         c == 0x1b;
}

gboolean
mg_classify_db_covers (const void *data, gsize len)
{
  const guint8 *p = data;

  for (gsize i = 0; i < len; i++)
    if (!covered_byte (p[i]))
      return FALSE;
  return TRUE;
}
