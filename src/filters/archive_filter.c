/* archive_filter.c - the archive filter (archive_filter.h). Not archive.[ch]:
 * archive.h is libarchive's header, and one name for two headers misleads.
 *
 * One pass over the entries with libarchive reading from memory: each regular
 * file is read in chunks (every chunk counted against the shared budget, so a
 * bomb stops at the limit instead of filling memory), handed to the policy
 * through in->recurse, and what comes back kept or converted is written into
 * a ZIP held in a bounded buffer. libarchive converts names through the
 * thread's locale, so the thread runs in C.UTF-8 while libarchive works, and
 * in the caller's locale while member filters run.
 */
#include "filters/archive_filter.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "mime/charset.h"
#include "util/safepath.h"

#define MG_ARCHIVE_CHUNK (64 * 1024)
/* Below this many unpacked bytes the ratio is not checked: a small archive
 * of repetitive text expands far more than 100 times and is no bomb. */
#define MG_ARCHIVE_RATIO_FLOOR (G_GINT64_CONSTANT (16) << 20)
#define MG_ARCHIVE_OUTPUT_SLACK (G_GINT64_CONSTANT (1) << 20)

typedef int (*MgArchiveSupport) (struct archive *);

/* Which libarchive readers run for each libmagic type: exactly one format
 * family (no "all": mtree opens local files, some filters run programs).
 * Names are left as raw bytes (entry_name decodes them) except in LZH, whose
 * reader needs a charset: LHa headers carry no UTF-8 mark, and are CP932. */
static const struct {
  const char *type;
  MgArchiveSupport support[4];
  const char *options;
} readers[] = {
  { "application/zip", { archive_read_support_format_zip }, NULL },
  { "application/x-7z-compressed", { archive_read_support_format_7zip }, NULL },
  { "application/x-tar", { archive_read_support_format_tar }, NULL },
  { "application/gzip",
    { archive_read_support_filter_gzip, archive_read_support_format_tar,
      archive_read_support_format_raw },
    NULL },
  { "application/x-gzip",
    { archive_read_support_filter_gzip, archive_read_support_format_tar,
      archive_read_support_format_raw },
    NULL },
  { "application/x-bzip2",
    { archive_read_support_filter_bzip2, archive_read_support_format_tar,
      archive_read_support_format_raw },
    NULL },
  { "application/x-xz",
    { archive_read_support_filter_xz, archive_read_support_format_tar,
      archive_read_support_format_raw },
    NULL },
  { "application/x-lzh-compressed",
    { archive_read_support_format_lha },
    "lha:hdrcharset=CP932" },
  { "application/x-lha", { archive_read_support_format_lha }, "lha:hdrcharset=CP932" },
  { "application/x-rar",
    { archive_read_support_format_rar, archive_read_support_format_rar5 },
    NULL },
  { "application/vnd.rar",
    { archive_read_support_format_rar, archive_read_support_format_rar5 },
    NULL },
  { "application/vnd.ms-cab-compressed", { archive_read_support_format_cab }, NULL },
};

static const char *const archive_types[] = {
  "application/zip",
  "application/x-7z-compressed",
  "application/x-tar",
  "application/gzip",
  "application/x-gzip",
  "application/x-bzip2",
  "application/x-xz",
  "application/x-lzh-compressed",
  "application/x-lha",
  "application/x-rar",
  "application/vnd.rar",
  "application/vnd.ms-cab-compressed",
  NULL,
};

static locale_t utf8_locale;

/* --- the budget shared by nested archives -------------------------------- */

typedef struct {
  const MgArchiveLimits *limits;
  gint64 packed; /* bytes of the top-level archive */
  gint64 members;
  gint64 unpacked;
  gint64 deadline;           /* g_get_monotonic_time () */
  gboolean message_deadline; /* DEADLINE is the message's (MgFilterBudget), nearer */
  char *exceeded;            /* English detail once a limit is reached */
} MgArchiveBudget;

/* The budget of the top-level archive this thread is unpacking, or NULL. */
static _Thread_local MgArchiveBudget *thread_budget;

static gboolean
budget_exceed (MgArchiveBudget *b, char *detail)
{
  if (b->exceeded == NULL)
    b->exceeded = detail;
  else
    g_free (detail);
  return FALSE;
}

static gboolean
budget_time (MgArchiveBudget *b)
{
  if (b->exceeded != NULL)
    return FALSE;
  if (g_get_monotonic_time () <= b->deadline)
    return TRUE;
  if (b->message_deadline)
    return budget_exceed (b,
                          g_strdup ("the message's time ([sandbox] job_timeout) ran out while"
                                    " unpacking"));
  return budget_exceed (b, g_strdup_printf ("unpacking took longer than [archive] max_seconds"
                                            " (%" G_GINT64_FORMAT " s)",
                                            b->limits->max_seconds));
}

static gboolean
budget_member (MgArchiveBudget *b)
{
  if (++b->members > b->limits->max_members)
    return budget_exceed (
        b, g_strdup_printf ("more than [archive] max_members (%" G_GINT64_FORMAT ") entries",
                            b->limits->max_members));
  return budget_time (b);
}

/* Count N more bytes unpacked; MEMBER_SIZE is the size of the member so far. */
static gboolean
budget_bytes (MgArchiveBudget *b, gsize n, gsize member_size)
{
  const MgArchiveLimits *l = b->limits;

  b->unpacked += (gint64) n;
  /* a member is held in a GByteArray, whose length is a guint */
  if ((gint64) member_size > MIN (l->max_member_size, (gint64) G_MAXUINT))
    return budget_exceed (b,
                          g_strdup_printf ("a member is larger than [archive] max_member_size"
                                           " (%" G_GINT64_FORMAT " bytes)",
                                           l->max_member_size));
  if (b->unpacked > l->max_total_size)
    return budget_exceed (
        b, g_strdup_printf ("more than [archive] max_total_size (%" G_GINT64_FORMAT
                            " bytes) unpacked",
                            l->max_total_size));
  if (b->unpacked > MG_ARCHIVE_RATIO_FLOOR && b->unpacked / b->packed > l->max_ratio)
    return budget_exceed (
        b,
        g_strdup_printf ("expands more than [archive] max_ratio (%" G_GINT64_FORMAT ") times",
                         l->max_ratio));
  return budget_time (b);
}

/* --- one archive --------------------------------------------------------- */

typedef struct {
  const MgFilterInput *in;
  MgFilterResult *result;
  MgArchiveBudget *budget;
  locale_t caller_locale;
  struct archive *reader;
  struct archive *writer;
  GByteArray *out; /* the ZIP being written */
  gsize out_max;
  GHashTable *names;    /* case-folded output names already used */
  GHashTable *suffixes; /* case-folded wanted name -> last "-N" tried */
  guint8 *chunk;
  guint files, kept;
  gboolean package;     /* an Office package's [Content_Types].xml seen */
  MgAction stop_action; /* MG_ACTION_KEPT while reading goes on */
  MgReason stop_reason;
  char *stop_detail;
} MgUnpack;

static void stop (MgUnpack *u, MgAction action, MgReason reason, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

static void
stop (MgUnpack *u, MgAction action, MgReason reason, const char *format, ...)
{
  va_list args;

  if (u->stop_action != MG_ACTION_KEPT)
    return;
  u->stop_action = action;
  u->stop_reason = reason;
  va_start (args, format);
  u->stop_detail = g_strdup_vprintf (format, args);
  va_end (args);
}

static void
stop_limit (MgUnpack *u)
{
  stop (u, MG_ACTION_REMOVED, MG_REASON_LIMIT, "%s", u->budget->exceeded);
}

/* A reader failure: encryption libarchive cannot read past, or damage.
 * Before a format was recognised libarchive (3.6) has no format to ask about
 * encryption (it would call through a null pointer: found by fuzz_archive). */
static void
stop_read_error (MgUnpack *u, const char *name)
{
  const char *msg = archive_error_string (u->reader);
  gboolean opened = archive_format (u->reader) != 0;

  if (opened && archive_read_has_encrypted_entries (u->reader) > 0)
    stop (u, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED,
          "encrypted archive (password-protected): %s", msg != NULL ? msg : "");
  else
    stop (u, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED, "damaged archive%s%s: %s",
          name != NULL ? " at " : "", name != NULL ? name : "", msg != NULL ? msg : "?");
}

static la_ssize_t
write_to_buffer (struct archive *a, void *ctx, const void *data, size_t len)
{
  MgUnpack *u = ctx;

  if (u->out->len + len > u->out_max) {
    archive_set_error (a, EFBIG, "repacked archive larger than [archive] max_total_size");
    return -1;
  }
  g_byte_array_append (u->out, data, (guint) len);
  return (la_ssize_t) len;
}

static gboolean
writer_open (MgUnpack *u, GError **error)
{
  u->writer = archive_write_new ();
  if (u->writer == NULL || archive_write_set_format_zip (u->writer) != ARCHIVE_OK ||
      archive_write_set_options (u->writer, "zip:hdrcharset=UTF-8") != ARCHIVE_OK ||
      archive_write_set_bytes_per_block (u->writer, 0) != ARCHIVE_OK ||
      archive_write_open (u->writer, u, NULL, write_to_buffer, NULL) != ARCHIVE_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libarchive ZIP writer: %s",
                 u->writer != NULL ? archive_error_string (u->writer) : "out of memory");
    return FALSE;
  }
  return TRUE;
}

static gboolean
type_is (const char *type, const char *name)
{
  gsize n = strlen (name);

  return g_ascii_strncasecmp (type, name, n) == 0 && (type[n] == '\0' || type[n] == ';');
}

static gboolean
is_archive (const char *type)
{
  for (guint i = 0; type != NULL && archive_types[i] != NULL; i++)
    if (type_is (type, archive_types[i]))
      return TRUE;
  return FALSE;
}

/* A reader for TYPE (the format family of readers[]), or NULL when out of
 * memory. *COMPRESSED_R: the whole stream is compressed (gzip, bzip2, xz),
 * so that skipping a member means decompressing it. */
static struct archive *
reader_new (const char *type, gboolean *compressed_r)
{
  struct archive *a = archive_read_new ();

  *compressed_r = FALSE;
  for (gsize i = 0; a != NULL && i < G_N_ELEMENTS (readers); i++) {
    if (!type_is (type, readers[i].type))
      continue;
    for (guint k = 0; k < G_N_ELEMENTS (readers[i].support) && readers[i].support[k]; k++)
      readers[i].support[k](a);
    if (readers[i].options != NULL)
      archive_read_set_options (a, readers[i].options);
    *compressed_r = readers[i].support[0] == archive_read_support_filter_gzip ||
                    readers[i].support[0] == archive_read_support_filter_bzip2 ||
                    readers[i].support[0] == archive_read_support_filter_xz;
  }
  return a;
}

static gboolean
reader_open (MgUnpack *u, GBytes *input, GError **error)
{
  gsize len;
  const void *data = g_bytes_get_data (input, &len);
  gboolean compressed;

  u->reader = reader_new (u->in->detected_type, &compressed);
  if (u->reader == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libarchive: out of memory");
    return FALSE;
  }
  if (archive_read_open_memory (u->reader, data, len) != ARCHIVE_OK)
    stop_read_error (u, NULL);
  return TRUE;
}

/* --- names --------------------------------------------------------------- */

/* A stream compressed on its own has no member name: the archive's name
 * without ".gz", ".bz2" or ".xz". */
static char *
raw_member_name (const MgFilterInput *in, struct archive_entry *entry)
{
  static const char *const suffixes[] = { ".gz", ".bz2", ".xz", ".z", NULL };
  const char *name = in->filename;

  if (name == NULL || *name == '\0')
    return g_strdup (archive_entry_pathname_utf8 (entry) ? archive_entry_pathname_utf8 (entry)
                                                         : "data");
  for (guint i = 0; suffixes[i] != NULL; i++) {
    gsize n = strlen (name), k = strlen (suffixes[i]);
    if (n > k && g_ascii_strcasecmp (name + n - k, suffixes[i]) == 0)
      return g_strndup (name, n - k);
  }
  return g_strdup (name);
}

/* The member's name in UTF-8: as libarchive converted it (a ZIP name with the
 * UTF-8 flag, 7z, RAR 5), else its raw bytes when they are valid UTF-8 (ZIPs
 * from macOS and Linux often lack the flag), else the raw bytes read as CP932
 * by mime/charset (Japanese Windows: no flag; NEC and IBM extensions kept).
 * libarchive's own "hdrcharset=CP932" would turn the UTF-8 names without a
 * flag into nothing. */
static char *
entry_name (MgUnpack *u, struct archive_entry *entry)
{
  const char *utf8 = archive_entry_pathname_utf8 (entry);
  const char *raw = archive_entry_pathname (entry);

  if (archive_format (u->reader) == ARCHIVE_FORMAT_RAW)
    return raw_member_name (u->in, entry);
  if (utf8 != NULL && g_utf8_validate (utf8, -1, NULL))
    return g_strdup (utf8);
  if (raw != NULL && g_utf8_validate (raw, -1, NULL))
    return g_strdup (raw);
  if (raw != NULL)
    return mg_charset_decode (raw, strlen (raw), "cp932", NULL);
  return g_strdup ("");
}

static gboolean
name_taken (MgUnpack *u, const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  return g_hash_table_contains (u->names, folded);
}

/* PATH with its extension replaced by EXTENSION, renamed "x-2.txt" if an
 * earlier member already took that name (Windows compares case-blind). */
static char *
output_name (MgUnpack *u, const char *path, const char *extension)
{
  g_autofree char *wanted = mg_safepath_with_extension (path, extension);
  const char *base = mg_safepath_basename (wanted);
  const char *dot = strrchr (base, '.');
  int stem = (int) (dot != NULL && dot != base ? dot - wanted : (gssize) strlen (wanted));
  char *folded = g_utf8_casefold (wanted, -1);
  /* Go on from the last number given to this name: thousands of members of
   * one name cost linear, not quadratic, time. */
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (u->suffixes, folded));
  char *name = g_strdup (wanted);

  while (name_taken (u, name)) {
    g_free (name);
    n = MAX (n + 1, 2);
    name = g_strdup_printf ("%.*s-%u%s", stem, wanted, n, wanted + stem);
  }
  g_hash_table_replace (u->suffixes, folded, GUINT_TO_POINTER (n));
  g_hash_table_add (u->names, g_utf8_casefold (name, -1));
  return name;
}

/* --- members ------------------------------------------------------------- */

/* A member that is not read: recorded as removed with REASON and DETAIL. */
static void
refuse (MgUnpack *u, const char *name, MgReason reason, const char *detail)
{
  MgFilterResult refused = { MG_ACTION_REMOVED, reason, (char *) detail };

  mg_filter_result_add_member (u->result, name, NULL, &refused, NULL);
}

/* Why ENTRY is not a regular file we may read, or NULL. */
static const char *
not_regular (struct archive_entry *entry)
{
  if (archive_entry_symlink (entry) != NULL || archive_entry_filetype (entry) == AE_IFLNK)
    return "symbolic link inside the archive";
  if (archive_entry_hardlink (entry) != NULL)
    return "hard link inside the archive";
  if (archive_entry_filetype (entry) != AE_IFREG)
    return "device, pipe or other special file inside the archive";
  return NULL;
}

/* The member's bytes, read in chunks against the budget; NULL when reading
 * stopped (the archive then stops too) or the member is unreadable (recorded). */
static GBytes *
read_member (MgUnpack *u, struct archive_entry *entry, const char *name)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  la_ssize_t n;

  if (archive_entry_size_is_set (entry) &&
      archive_entry_size (entry) > u->budget->limits->max_member_size) {
    budget_bytes (u->budget, 0, (gsize) archive_entry_size (entry));
    stop_limit (u);
    return NULL;
  }
  while ((n = archive_read_data (u->reader, u->chunk, MG_ARCHIVE_CHUNK)) > 0) {
    if (!budget_bytes (u->budget, (gsize) n, (gsize) buf->len + (gsize) n)) {
      stop_limit (u);
      return NULL;
    }
    g_byte_array_append (buf, u->chunk, (guint) n);
  }
  if (n < 0 && (n == ARCHIVE_FATAL || archive_read_has_encrypted_entries (u->reader) > 0)) {
    stop_read_error (u, name);
    return NULL;
  }
  if (n < 0) {
    g_autofree char *why = g_strdup_printf ("member cannot be read: %s",
                                            archive_error_string (u->reader));
    refuse (u, name, MG_REASON_CONVERT_FAILED, why);
    return NULL;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* Write what the policy produced for PATH into the output ZIP. */
static gboolean
pack (MgUnpack *u, const char *path, const MgFilterResult *member, time_t mtime)
{
  g_autofree char *name = output_name (u, path, member->output_extension);
  struct archive_entry *entry = archive_entry_new ();
  gsize len;
  const void *data = g_bytes_get_data (member->output, &len);
  gboolean ok;

  archive_entry_update_pathname_utf8 (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, (la_int64_t) len);
  archive_entry_set_mtime (entry, mtime, 0);
  ok = archive_write_header (u->writer, entry) == ARCHIVE_OK &&
       archive_write_data (u->writer, data, len) == (la_ssize_t) len;
  archive_entry_free (entry);
  if (!ok)
    stop (u, MG_ACTION_REMOVED, MG_REASON_LIMIT, "%s", archive_error_string (u->writer));
  return ok;
}

/* PATH's bytes through the whole policy, in the caller's locale. */
static void
sanitise_member (MgUnpack *u, const char *path, GBytes *data, time_t mtime)
{
  MgFilterResult member = { MG_ACTION_REMOVED };
  g_autofree char *detected = NULL;
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  locale_t ours = uselocale (u->caller_locale);

  u->in->recurse (u->in->recurse_ctx, data, mg_safepath_basename (path), &member, &detected);
  uselocale (ours);
  if (u->budget->exceeded != NULL)
    stop_limit (u); /* a nested archive spent the budget */
  else if (member.action == MG_ACTION_REMOVED && member.reason == MG_REASON_LIMIT &&
           is_archive (detected))
    stop (u, MG_ACTION_REMOVED, MG_REASON_LIMIT, "%s: %s", path,
          member.detail != NULL ? member.detail : "limit"); /* nested too deep */
  else if (member.action == MG_ACTION_WITHHELD)
    stop (u, MG_ACTION_WITHHELD, member.reason, "%s: %s", path,
          member.detail != NULL ? member.detail : mg_reason_text (member.reason, MG_LANG_EN));
  else if ((member.action == MG_ACTION_KEPT || member.action == MG_ACTION_CONVERTED) &&
           pack (u, path, &member, mtime))
    u->kept++;
  mg_filter_result_add_member (u->result, path, detected, &member, sha256);
  mg_filter_result_add_nested (u->result, path, member.members);
  mg_filter_result_clear (&member);
}

static void
unpack_entry (MgUnpack *u, struct archive_entry *entry)
{
  g_autofree char *name = entry_name (u, entry);
  g_autofree char *path = NULL;
  g_autoptr (GBytes) data = NULL;
  const char *why;

  if (!budget_member (u->budget)) {
    stop_limit (u);
    return;
  }
  if (archive_entry_is_encrypted (entry)) {
    stop (u, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED,
          "%s is encrypted (password-protected archive)", name);
    return;
  }
  if (archive_entry_filetype (entry) == AE_IFDIR)
    return; /* folders are implied by the paths of files */
  u->files++;
  u->package |= g_ascii_strcasecmp (name, "[Content_Types].xml") == 0;
  if ((why = not_regular (entry)) != NULL) {
    refuse (u, name, MG_REASON_NOT_REGULAR, why);
    return;
  }
  if ((path = mg_safepath_relative (name, &why)) == NULL) {
    refuse (u, name, MG_REASON_UNSAFE_NAME, why);
    return;
  }
  data = read_member (u, entry, path);
  if (data != NULL)
    sanitise_member (u, path, data, archive_entry_mtime (entry));
}

static void
unpack_all (MgUnpack *u)
{
  struct archive_entry *entry;
  int r;

  while (u->stop_action == MG_ACTION_KEPT) {
    r = archive_read_next_header (u->reader, &entry);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      stop_read_error (u, NULL);
      break;
    }
    unpack_entry (u, entry);
  }
}

/* --- the result ---------------------------------------------------------- */

static void
finish (MgUnpack *u, MgFilterResult *result)
{
  if (u->stop_action == MG_ACTION_KEPT && archive_write_close (u->writer) != ARCHIVE_OK)
    stop (u, MG_ACTION_REMOVED, MG_REASON_LIMIT, "%s", archive_error_string (u->writer));
  if (u->stop_action != MG_ACTION_KEPT) {
    /* nothing of it passes: its members' fates would only mislead */
    g_clear_pointer (&result->members, g_ptr_array_unref);
    result->action = u->stop_action;
    result->reason = u->stop_reason;
    result->detail = g_steal_pointer (&u->stop_detail);
    return;
  }
  if (u->package) {
    g_clear_pointer (&result->members, g_ptr_array_unref);
    /* repacked as a ZIP, a document would lose its body and still look
     * "converted": an Office package the Office filter could not read */
    result->action = MG_ACTION_REMOVED;
    result->reason = MG_REASON_CONVERT_FAILED;
    result->detail = g_strdup ("an Office Open XML package ([Content_Types].xml) without a "
                               "Word, Excel or PowerPoint document mugai can read; not "
                               "repacked as a plain ZIP");
    return;
  }
  if (u->kept == 0) {
    result->action = MG_ACTION_REMOVED;
    result->reason = MG_REASON_ARCHIVE_EMPTY;
    result->detail = g_strdup_printf ("none of %u files could pass", u->files);
    return;
  }
  result->action = MG_ACTION_CONVERTED;
  result->reason = MG_REASON_ARCHIVE_REPACKED;
  result->detail = g_strdup_printf ("%u of %u files repacked", u->kept, u->files);
  result->output = g_byte_array_free_to_bytes (g_steal_pointer (&u->out));
  result->output_type = g_strdup ("application/zip");
  result->output_extension = g_strdup (".zip");
}

static void
unpack_clear (MgUnpack *u)
{
  if (u->reader != NULL)
    archive_read_free (u->reader);
  if (u->writer != NULL)
    archive_write_free (u->writer);
  if (u->out != NULL)
    g_byte_array_unref (u->out);
  g_clear_pointer (&u->names, g_hash_table_unref);
  g_clear_pointer (&u->suffixes, g_hash_table_unref);
  g_free (u->chunk);
  g_free (u->stop_detail);
}

static void
unpack (MgUnpack *u, GBytes *input, GError **error, gboolean *ok_r)
{
  u->out = g_byte_array_new ();
  u->out_max = (gsize) MIN (u->budget->limits->max_total_size + MG_ARCHIVE_OUTPUT_SLACK,
                            (gint64) G_MAXUINT); /* a GByteArray's length is a guint */
  u->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  u->suffixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  u->chunk = g_malloc (MG_ARCHIVE_CHUNK);
  u->stop_action = MG_ACTION_KEPT;
  *ok_r = writer_open (u, error) && reader_open (u, input, error);
  if (*ok_r)
    unpack_all (u);
}

static gboolean
archive_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result,
                  GError **error)
{
  MgArchiveBudget top = { &in->config->archive };
  gboolean outermost = thread_budget == NULL, ok;
  MgUnpack u = { in, result };

  if (outermost) {
    top.packed = MAX ((gint64) g_bytes_get_size (input), 1);
    top.deadline = g_get_monotonic_time () + in->config->archive.max_seconds * G_USEC_PER_SEC;
    if (in->budget != NULL && in->budget->deadline != 0 &&
        in->budget->deadline < top.deadline) {
      top.deadline = in->budget->deadline;
      top.message_deadline = TRUE;
    }
    thread_budget = &top;
  }
  u.budget = thread_budget;
  u.caller_locale = uselocale (utf8_locale);
  unpack (&u, input, error, &ok);
  if (ok)
    finish (&u, result);
  uselocale (u.caller_locale);
  unpack_clear (&u);
  if (outermost) {
    thread_budget = NULL;
    g_free (top.exceeded);
  }
  return ok;
}

/* --- before the virus scan ----------------------------------------------- */

/* Entries in the headers of the archive in DATA, counted up to MAX + 1
 * without reading a member (libarchive skips them: a seek in memory); -1
 * when the headers cannot be read (the filter will say why). */
static gint64
count_entries (struct archive *a, const void *data, gsize len, gint64 max, gint64 deadline)
{
  struct archive_entry *entry;
  gint64 n = 0;
  int r;

  if (archive_read_open_memory (a, data, len) != ARCHIVE_OK)
    return -1;
  while (n <= max && g_get_monotonic_time () <= deadline) {
    r = archive_read_next_header (a, &entry);
    if (r == ARCHIVE_EOF)
      return n;
    if (r < ARCHIVE_WARN)
      return -1;
    n++;
  }
  return n;
}

/* MgFilter.precheck: an archive with more entries than [archive]
 * max_members (less those of the archives around it) is removed before
 * ClamAV reads it. Compressed streams (.tar.gz) are left to the filter:
 * counting their entries means decompressing them. */
static gboolean
archive_precheck (GBytes *input, const MgFilterInput *in, MgFilterResult *result)
{
  const MgArchiveLimits *l = &in->config->archive;
  gint64 left = l->max_members - (thread_budget != NULL ? thread_budget->members : 0);
  gboolean compressed;
  gsize len;
  const void *data = g_bytes_get_data (input, &len);
  locale_t caller = uselocale (utf8_locale);
  struct archive *a = reader_new (in->detected_type, &compressed);
  gint64 n = a != NULL && !compressed
                 ? count_entries (a, data, len, MAX (left, 0),
                                  g_get_monotonic_time () + l->max_seconds * G_USEC_PER_SEC)
                 : -1;

  if (a != NULL)
    archive_read_free (a);
  uselocale (caller);
  if (n <= left)
    return TRUE;
  mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                        g_strdup_printf ("more than [archive] max_members (%" G_GINT64_FORMAT
                                         ") entries (counted in its headers before the virus"
                                         " scan)",
                                         l->max_members));
  return FALSE;
}

/* Before the sandbox: the UTF-8 locale libarchive converts names into. */
static gboolean
archive_init (const MgConfig *config, GError **error)
{
  static const char *const names[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8", NULL };
  (void) config;

  for (guint i = 0; utf8_locale == (locale_t) 0 && names[i] != NULL; i++)
    utf8_locale = newlocale (LC_CTYPE_MASK, names[i], (locale_t) 0);
  if (utf8_locale == (locale_t) 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "no UTF-8 locale (C.UTF-8) is installed for archive names");
    return FALSE;
  }
  return TRUE;
}

static void
archive_shutdown (void)
{
  if (utf8_locale != (locale_t) 0)
    freelocale (utf8_locale);
  utf8_locale = (locale_t) 0;
}

const MgFilter mg_filter_archive = {
  .name = "archive",
  .types = archive_types,
  .init = archive_init,
  .sanitise = archive_sanitise,
  .shutdown = archive_shutdown,
  .precheck = archive_precheck,
};
