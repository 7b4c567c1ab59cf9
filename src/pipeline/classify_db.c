/* classify_db.c - libmagic's compiled database without the top-level tests
 * that cannot match text, and the bytes for which that changes nothing.
 *
 * Why the answers are the same (checked against the file 5.44 sources, which
 * is why anything but libmagic 5.44 and its database format 18 gets NULL):
 * softmagic.c match() walks the entries in the database's order; a top-level
 * entry whose test fails is skipped with its continuations and leaves nothing
 * behind, so removing entries that cannot match a buffer leaves the answer
 * for that buffer as it was (mget() fails, -1, for these types only when the
 * indirection or name budget is spent, and then for every entry alike).
 *
 * The bytes: "covered" bytes are libmagic's text bytes (encoding.c
 * text_chars: BEL to CR, ESC, space to '~') but '<', and 0x80-0xff. libmagic
 * tests the buffer itself, zeros past its end, and, for text, the UTF-8 it
 * converts it to (encoding.c, ascmagic.c): from covered bytes that
 * conversion is ASCII, UTF-8 (overlong forms are refused, so every multibyte
 * character is U+0080 or above and encodes to bytes 0x80-0xff), UTF-16 or
 * -32 (a character below U+0100 would need a NUL byte), ISO-8859 or extended
 * ASCII (each byte is its own character), never EBCDIC (which needs a
 * control byte). So no test ever sees a "foreign" byte: '<', 0x01-0x06,
 * 0x0e-0x1a or 0x7f.
 *
 * The tests removed: relation '=' and a value holding a foreign byte, for
 *  - string and search: each value byte is compared with a byte of the
 *    buffer exactly unless it is a letter (the /c and /C flags) or a space
 *    (/w and /W), and no foreign byte is either;
 *  - byte, short, long and quad in any byte order, with no mask and no
 *    inversion: the test's bytes are the value's bytes (v == l after sign
 *    extension means the same low bytes). */
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
#define MG_MGC_MASK_OP 9           /* uint8_t mask_op */
#define MG_MGC_NUM_MASK 24         /* uint64_t num_mask */
#define MG_MGC_OPINVERSE 0x40      /* FILE_OPINVERSE */
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

/* A byte that no test sees in covered bytes (the comment at the top). */
static gboolean
foreign_byte (guint8 c)
{
  return c == '<' || (c >= 0x01 && c <= 0x06) || (c >= 0x0e && c <= 0x1a) || c == 0x7f;
}

/* The size of a byte, short, long or quad test (file.h FILE_*), or 0. */
static gsize
integer_size (guint8 type)
{
  static const guint8 sizes[] = {
    [1] = 1,                      /* byte */
    [2] = 2,  [7] = 2,  [10] = 2, /* short, beshort, leshort */
    [4] = 4,  [8] = 4,  [11] = 4, /* long, belong, lelong */
    [24] = 8, [25] = 8, [26] = 8, /* quad, lequad, bequad */
  };

  return type < G_N_ELEMENTS (sizes) ? sizes[type] : 0;
}

/* A test the top comment says cannot match covered bytes. */
static gboolean
never_matches_text (const guint8 *entry)
{
  guint8 type = entry[MG_MGC_TYPE];
  gsize size = integer_size (type);
  guint64 value, mask;

  if (entry[MG_MGC_RELN] != '=')
    return FALSE;
  if (type == MG_MGC_FILE_STRING || type == MG_MGC_FILE_SEARCH) {
    gsize n = MIN (entry[MG_MGC_VALLEN], MG_MGC_VALUE_SIZE);
    for (gsize i = 0; i < n; i++)
      if (foreign_byte (entry[MG_MGC_VALUE + i]))
        return TRUE;
    return FALSE;
  }
  memcpy (&value, entry + MG_MGC_VALUE, sizeof value);
  memcpy (&mask, entry + MG_MGC_NUM_MASK, sizeof mask);
  if (size == 0 || mask != 0 || (entry[MG_MGC_MASK_OP] & MG_MGC_OPINVERSE) != 0)
    return FALSE;
  for (gsize i = 0; i < size; i++)
    if (foreign_byte ((guint8) (value >> (8 * i))))
      return TRUE;
  return FALSE;
}

static guint16
cont_level (const guint8 *entry)
{
  guint16 level;

  memcpy (&level, entry + MG_MGC_CONT_LEVEL, sizeof level);
  return level;
}

/* Drop from set 0 (the entries match() walks; set 1 holds the named ones
 * "use" finds) every test never_matches_text() names, with its continuations, keeping
 * the order; the new length. */
static gsize
drop_text_misses (guint8 *db, guint32 n0, guint32 n1)
{
  guint8 *set0 = db + MG_MGC_ENTRY;
  gsize kept = 0;

  for (guint32 i = 0; i < n0;) {
    guint32 end = i + 1;
    while (end < n0 && cont_level (set0 + (gsize) end * MG_MGC_ENTRY) != 0)
      end++;
    if (!never_matches_text (set0 + (gsize) i * MG_MGC_ENTRY)) {
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
  len = drop_text_misses ((guint8 *) db, n0, n1);
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

/* A covered byte (the comment at the top). */
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
