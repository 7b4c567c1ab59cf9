/* test_worker.c - a hostile sanitiser worker against the real front.
 *
 * This program is the front (mg_pipeline_mail with the sandbox on) and,
 * exec'd by it with the supervisor argument, a supervisor whose sandboxed
 * workers run the real pipeline and then spoil their reply on request (the
 * job's queue id names how): a wrong or missing id, a wrong frame type,
 * fields missing, repeated, out of range or overlong, a report that is not
 * JSON, a length beyond the bound, a truncated frame, and a "sanitised"
 * output that carries the attachment the report says was removed. For each
 * the front must withhold (the notice, the original held) or tempfail, never
 * crash and never hand on the removed attachment. PPAP jobs (their password
 * is "HOW:PASSWORD") are opened for real and their result's kind spoiled as
 * HOW says: the front must pass on the worker's kind, and refuse a kind out
 * of range or one that disagrees with the output. Built only for the tests.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/pipeline_internal.h"
#include "pipeline/ppap.h"
#include "worker/protocol.h"
#include "worker/remote.h"
#include "worker/worker.h"
#include "quarantine/quarantine_store.h"
#include "sandbox/supervisor.h"
#include "util/fdio.h"

/* The attachment every worker removes (not an allowed type); its bytes
 * carry a sentinel that must never reach the output. */
#define SENTINEL "SMUGGLE-SENTINEL-4242"
#define EXE_B64 "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAABTTVVHR0xFLVNFTlRJTkVMLTQyNDI="
#define MESSAGE                                                                               \
  "From: a@example.jp\nTo: b@example.lg.jp\nSubject: hostile worker\nMIME-Version: "          \
  "1.0\n"                                                                                     \
  "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"                                        \
  "--b1\nContent-Type: text/plain; charset=us-ascii\n\nhello body\n"                          \
  "--b1\nContent-Type: application/octet-stream; name=\"tool.exe\"\n"                         \
  "Content-Disposition: attachment; filename=\"tool.exe\"\n"                                  \
  "Content-Transfer-Encoding: base64\n\n" EXE_B64 "\n"                                        \
  "--b1\nContent-Type: text/csv; name=\"list.csv\"\n"                                         \
  "Content-Disposition: attachment; filename=\"list.csv\"\n\na,b,c\n1,2,3\n--b1--\n"

static MgConfig *config;
static MgPipeline *pipeline;

/* ---------------------------------------------------------- the worker side */

static void
put_u32 (GByteArray *out, guint32 value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &be, sizeof be);
}

/* A frame written byte by byte: TYPE, a payload length of CLAIMED (or the
 * real one when 0), then FIELDS (tag, length, bytes), each field's length as
 * given; the frame ends after WRITTEN bytes of the payload when not 0. */
static void
write_raw (guint32 type, guint32 claimed, gsize written, const char *const *fields)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  g_autoptr (GByteArray) frame = g_byte_array_new ();

  for (guint i = 0; fields[i] != NULL; i += 2) {
    put_u32 (payload, (guint32) g_ascii_strtoull (fields[i], NULL, 10));
    put_u32 (payload, (guint32) strlen (fields[i + 1]));
    g_byte_array_append (payload, (const guint8 *) fields[i + 1], strlen (fields[i + 1]));
  }
  put_u32 (frame, type);
  put_u32 (frame, claimed != 0 ? claimed : payload->len);
  g_byte_array_append (frame, payload->data, written != 0 ? (guint) written : payload->len);
  mg_fdio_write_all (mg_sandbox_worker_channel (), frame->data, frame->len, NULL);
}

/* The tags as text, for write_raw. */
#define F_ID "7"
#define F_REPORT "10"
#define GOOD_ID "20261122T010203Z-4f2a0b1c"
#define GOOD_REPORT "{\"id\":\"" GOOD_ID "\",\"parts\":[]}"

/* PPAP mails: one ZipCrypto ZIP (password pw-2026) of one member, a.txt,
 * and of two, a.txt and b.txt (over [archive] max_members = 1 here). */
#define PPAP_HEAD                                                                             \
  "From: a@example.jp\nTo: b@example.lg.jp\nSubject: ppap\nMIME-Version: 1.0\n"               \
  "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"                                        \
  "--b1\nContent-Type: text/plain; charset=us-ascii\n\nthe password follows\n"                \
  "--b1\nContent-Type: application/zip; name=\"x.zip\"\n"                                     \
  "Content-Disposition: attachment; filename=\"x.zip\"\n"                                     \
  "Content-Transfer-Encoding: base64\n\n"
#define PPAP_ONE                                                                              \
  PPAP_HEAD                                                                                   \
  "UEsDBBQAAQgAAAAAIQDsbmCfEgAAAAYAAAAFAAAAYS50eHSrleSvBWZU0d5rdM56o2TqVeBQSwEC\n"            \
  "FAAUAAEIAAAAACEA7G5gnxIAAAAGAAAABQAAAAAAAAAAAAAAAAAAAAAAYS50eHRQSwUGAAAAAAEA\n"            \
  "AQAzAAAANQAAAAAA\n--b1--\n"
#define PPAP_TWO                                                                              \
  PPAP_HEAD                                                                                   \
  "UEsDBBQAAQgAAAAAIQDsbmCfEgAAAAYAAAAFAAAAYS50eHSrleSvBWZU0d5rdM56o2TqVeBQSwME\n"            \
  "FAABCAAAAAAhAHWn4+YRAAAABQAAAAUAAABiLnR4dKuV5K8FZlTR3mt0t8/oNNM7UEsBAhQAFAAB\n"            \
  "CAAAAAAhAOxuYJ8SAAAABgAAAAUAAAAAAAAAAAAAAAAAAAAAAGEudHh0UEsBAhQAFAABCAAAAAAh\n"            \
  "AHWn4+YRAAAABQAAAAUAAAAAAAAAAAAAAAAANQAAAGIudHh0UEsFBgAAAAACAAIAZgAAAGkAAAAA\n"            \
  "AA==\n--b1--\n"

/* Raw frames the frame decoder must refuse; the worker then ends (the front
 * killed it or stopped reading). */
static gboolean
raw_reply (const char *how)
{
  static const char *const dup[] = { F_ID, GOOD_ID, F_ID, GOOD_ID, NULL };
  static const char *const ok[] = { F_ID, GOOD_ID, F_REPORT, GOOD_REPORT, NULL };
  static const char *const tag[] = { "99", "x", NULL };

  if (g_str_equal (how, "raw-duplicate"))
    write_raw (MG_IPC_RESULT_MAIL, 0, 0, dup);
  else if (g_str_equal (how, "raw-unknown-tag"))
    write_raw (MG_IPC_RESULT_MAIL, 0, 0, tag);
  else if (g_str_equal (how, "raw-unknown-type"))
    write_raw (0x4d4700ff, 0, 0, ok);
  else if (g_str_equal (how, "raw-huge"))
    write_raw (MG_IPC_RESULT_MAIL, 0xffffffffu, 0, ok);
  else if (g_str_equal (how, "raw-truncated"))
    write_raw (MG_IPC_RESULT_MAIL, 200, 10, ok);
  else if (g_str_equal (how, "raw-overrun")) {
    g_autoptr (GByteArray) f = g_byte_array_new (); /* field length beyond the frame */
    put_u32 (f, MG_IPC_RESULT_MAIL);
    put_u32 (f, 12);
    put_u32 (f, 7);
    put_u32 (f, 1000);
    g_byte_array_append (f, (const guint8 *) "abcd", 4);
    mg_fdio_write_all (mg_sandbox_worker_channel (), f->data, f->len, NULL);
  } else
    return FALSE;
  _exit (0);
}

static GBytes *
replace_bytes (GBytes *in, const char *from, const char *to)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (in, NULL), g_bytes_get_size (in));
  g_auto (GStrv) parts = g_strsplit (text, from, -1);
  char *joined = g_strjoinv (to, parts);

  return g_bytes_new_take (joined, strlen (joined));
}

/* The honest result, its output or report changed as HOW says. */
static void
spoil_result (MgMailResult *r, const char *how, GBytes *message)
{
  if (g_str_equal (how, "smuggle-append")) {
    GString *s = g_string_new_len (g_bytes_get_data (r->output, NULL),
                                   (gssize) g_bytes_get_size (r->output));
    g_string_append_len (s, g_bytes_get_data (message, NULL),
                         (gssize) g_bytes_get_size (message));
    g_bytes_unref (r->output);
    r->output = g_string_free_to_bytes (s);
  } else if (g_str_equal (how, "smuggle-swap")) {
    GBytes *old = r->output; /* the kept CSV's block now holds the removed program */
    r->output = replace_bytes (old, "77u/YSxiLGMKMSwyLDM=", EXE_B64);
    g_bytes_unref (old);
  } else if (g_str_equal (how, "smuggle-original")) {
    g_bytes_unref (r->output);
    r->output = g_bytes_ref (message);
  } else if (g_str_equal (how, "withheld-with-attachment")) {
    GBytes *old = r->output;
    r->verdict = MG_VERDICT_WITHHELD;
    r->output = replace_bytes (old, "X-Mugai: sanitised;", "X-Mugai: withheld;");
    g_bytes_unref (old);
  } else if (g_str_equal (how, "smuggle-hidden")) {
    /* the report calls the program kept, and the output carries it */
    g_autoptr (GBytes) old = g_bytes_new_take (r->report_json, strlen (r->report_json));
    g_autoptr (GBytes) report = replace_bytes (old, "\"removed\"", "\"kept\"");
    r->report_json = g_strndup (g_bytes_get_data (report, NULL), g_bytes_get_size (report));
    spoil_result (r, "smuggle-swap", message);
  } else if (g_str_equal (how, "id-abc")) {
    g_free (r->id);
    r->id = g_strdup ("abc-1");
  } else if (g_str_equal (how, "id-path")) {
    g_free (r->id);
    r->id = g_strdup ("../../../../tmp/x");
  } else if (g_str_equal (how, "id-other")) {
    g_free (r->id); /* well formed, but not the report's */
    r->id = g_strdup (GOOD_ID);
  } else if (g_str_equal (how, "report-not-json")) {
    g_free (r->report_json);
    r->report_json = g_strdup ("{\"id\": not json");
  } else if (g_str_equal (how, "report-array")) {
    g_free (r->report_json);
    r->report_json = g_strdup ("[1,2,3]");
  } else if (g_str_equal (how, "report-parts-not-list")) {
    g_free (r->report_json);
    r->report_json = g_strdup_printf ("{\"id\":\"%s\",\"parts\":{}}", r->id);
  }
}

/* Frame-level faults on the honest RESULT frame: a field dropped (no value)
 * or replaced. */
static const struct {
  const char *how;
  MgIpcTag tag;
  const char *value;
  gsize len;
} changes[] = {
  { "missing-id", MG_IPC_F_ID, NULL, 0 },
  { "missing-verdict", MG_IPC_F_VERDICT, NULL, 0 },
  { "missing-report", MG_IPC_F_REPORT, NULL, 0 },
  { "missing-output", MG_IPC_F_OUTPUT, NULL, 0 },
  { "missing-virus", MG_IPC_F_VIRUS, NULL, 0 },
  { "missing-store", MG_IPC_F_STORE, NULL, 0 },
  { "verdict-tempfail", MG_IPC_F_VERDICT, "\0\0\0\2", 4 },
  { "verdict-99", MG_IPC_F_VERDICT, "\0\0\0\x63", 4 },
  { "verdict-long", MG_IPC_F_VERDICT, "\0\0\0\0\0\0\0\0", 8 },
  { "report-not-utf8", MG_IPC_F_REPORT, "{\"id\":\"\xff\xfe\"}", 11 },
  { "id-nul", MG_IPC_F_ID, GOOD_ID "\0x", sizeof GOOD_ID + 1 },
  { "field-extra", MG_IPC_F_NAME, "x", 1 },
  { "sender-smtp", MG_IPC_F_SENDER, "a@b>\r\nRCPT TO:<x@y", 18 },
  { "recipients-bad", MG_IPC_F_RECIPIENTS, "b@example.lg.jp, evil", 21 },
  { "recipients-twice", MG_IPC_F_RECIPIENTS, "b@example.lg.jp, b@example.lg.jp", 32 },
};

static void
spoil_frame (MgIpcFrame **frame, const char *how)
{
  g_autoptr (MgIpcFrame) old = *frame;
  MgIpcType type = g_str_equal (how, "type-hello")         ? MG_IPC_HELLO
                   : g_str_equal (how, "type-job")         ? MG_IPC_JOB_MAIL
                   : g_str_equal (how, "type-failed")      ? MG_IPC_FAILED
                   : g_str_equal (how, "type-file-result") ? MG_IPC_RESULT_FILE
                                                           : MG_IPC_RESULT_MAIL;

  *frame = mg_ipc_frame_new (type);
  for (MgIpcTag tag = 1; tag < MG_IPC_F_LAST; tag++) {
    GBytes *value = mg_ipc_frame_get (old, tag);
    gboolean changed = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS (changes); i++)
      if (g_str_equal (how, changes[i].how) && changes[i].tag == tag) {
        changed = TRUE;
        if (changes[i].value != NULL)
          mg_ipc_frame_add (*frame, tag, changes[i].value, changes[i].len);
      }
    if (g_str_equal (how, "reason-long") && tag == MG_IPC_F_REASON) {
      g_autofree char *text = g_strnfill (MG_PROTOCOL_TEXT_MAX + 1, 'r');
      mg_ipc_frame_add_str (*frame, tag, text);
      changed = TRUE;
    }
    if (g_str_equal (how, "output-oversized") && tag == MG_IPC_F_OUTPUT) {
      gsize n = 64 * 1024 * 1024 + 1; /* one byte beyond the front's bound */
      g_autofree char *big = g_malloc0 (n);
      mg_ipc_frame_add (*frame, tag, big, n);
      changed = TRUE;
    }
    if (value != NULL && !changed)
      mg_ipc_frame_add (*frame, tag, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  }
}

/* The honest PPAP result FRAME with its kind changed as HOW says. */
static void
spoil_ppap (MgIpcFrame **frame, const char *how)
{
  g_autoptr (MgIpcFrame) old = *frame;
  guint32 kind = GUINT32_TO_BE (g_str_equal (how, "kind-99")          ? 99
                                : g_str_equal (how, "kind-no-answer") ? MG_PPAP_NO_ANSWER
                                : g_str_equal (how, "kind-opened")    ? MG_PPAP_OK
                                                                   : MG_PPAP_WRONG_PASSWORD);

  *frame = mg_ipc_frame_new (MG_IPC_RESULT_PPAP);
  for (MgIpcTag tag = 1; tag < MG_IPC_F_LAST; tag++) {
    GBytes *value = mg_ipc_frame_get (old, tag);
    if (tag == MG_IPC_F_KIND && !g_str_equal (how, "honest")) {
      if (!g_str_equal (how, "kind-missing"))
        mg_ipc_frame_add (*frame, tag, &kind, sizeof kind);
    } else if (value != NULL) {
      mg_ipc_frame_add (*frame, tag, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
    }
  }
}

/* A PPAP job whose password is "HOW:PASSWORD": opened with PASSWORD, the
 * result spoiled as HOW says. */
static MgIpcFrame *
hostile_ppap (MgPipeline *local, const MgIpcFrame *job)
{
  MgPpapRequest request = { NULL, NULL };
  MgPpapReply reply = { NULL, 0, NULL, MG_PPAP_OK };
  g_autoptr (GError) error = NULL;
  MgIpcFrame *frame;
  char *password;

  g_assert_true (mg_protocol_ppap_request_decode (job, &request, NULL));
  password = strchr (request.password, ':');
  g_assert_nonnull (password);
  *password++ = '\0';
  reply.output = mg_ppap_open (request.message, password,
                               &mg_pipeline_get_config (local)->archive, &reply.opened,
                               &reply.kind, &error);
  if (reply.output == NULL)
    reply.reason = g_strdup (error->message);
  frame = mg_protocol_ppap_reply_encode (&reply);
  spoil_ppap (&frame, request.password);
  mg_ppap_reply_clear (&reply);
  mg_ppap_request_clear (&request);
  return frame;
}

static MgIpcFrame *
hostile_job (gpointer ctx, int front_fd, int service_fd, const MgIpcFrame *job)
{
  g_autofree char *how = mg_ipc_frame_get_str (job, MG_IPC_F_QUEUE_ID);
  GBytes *message = mg_ipc_frame_get (job, MG_IPC_F_MESSAGE);
  g_autoptr (MgMailResult) result = NULL;
  MgIpcFrame *frame;

  (void) front_fd;
  (void) service_fd;
  if (mg_ipc_frame_type (job) == MG_IPC_JOB_PPAP)
    return hostile_ppap (ctx, job);
  if (raw_reply (how))
    return NULL;
  if (g_str_equal (how, "failed-honest"))
    return mg_protocol_failed_encode ("boom");
  result = mg_pipeline_sanitise_local (ctx, message, how);
  spoil_result (result, how, message);
  frame = mg_protocol_result_mail_encode (result);
  spoil_frame (&frame, how);
  return frame;
}

static int
supervisor_main (char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) conf = mg_config_load (argv[2], &error);
  g_autoptr (MgPipeline) local = NULL;
  int ctl = atoi (argv[3]);
  MgPrivsUsers users;

  g_assert_no_error (error);
  g_assert_true (
      mg_privs_lookup (conf->milter_user, conf->milter_worker_user, &users, &error));
  local = mg_pipeline_new_local (conf, &error);
  g_assert_no_error (error);
  MgSandboxLimits limits = { conf->sandbox.max_memory_mb, 600, 256, 64 << 20 };
  g_assert_true (mg_sandbox_supervisor_drop (&users, &limits, &error));
  return mg_sandbox_supervisor_run (ctl, 1, &limits, 256 << 20, hostile_job, NULL, local);
}

/* ------------------------------------------------------------ the front side */

static MgMailResult *
run (const char *how, gboolean *tempfail_r)
{
  g_autoptr (GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  g_autoptr (GError) error = NULL;
  MgMailResult *result = NULL;

  *tempfail_r = !mg_pipeline_mail (pipeline, message, how, &result, &error);
  if (*tempfail_r) {
    g_assert_error (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_TEMPFAIL);
    g_assert_null (result);
  } else {
    g_assert_no_error (error);
  }
  return result;
}

static gboolean
contains (GBytes *bytes, const char *needle)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
assert_not_delivered (GBytes *output)
{
  g_assert_false (contains (output, SENTINEL));
  g_assert_false (contains (output, EXE_B64));
  g_assert_false (contains (output, "TVqQAAMAAAAEAAAA"));
}

/* The control: the honest worker's result passes the front's checks. */
static void
test_honest (void)
{
  gboolean tempfail;
  g_autoptr (MgMailResult) r = run ("honest", &tempfail);

  g_assert_false (tempfail);
  g_assert_cmpint (r->verdict, ==, MG_VERDICT_SANITISED);
  g_assert_true (contains (r->output, "77u/YSxiLGMKMSwyLDM=")); /* the CSV, kept */
  g_assert_nonnull (strstr (r->report_json, "\"removed\""));
  assert_not_delivered (r->output);
}

static void
test_hostile (gconstpointer data)
{
  const char *const *c = data;
  const char *how = c[0];
  gboolean tempfail;
  g_autoptr (MgMailResult) r = run (how, &tempfail);
  g_autoptr (MgQuarantineStore) store = NULL;
  g_autoptr (MgQuarantineItem) item = NULL;
  g_autoptr (GError) error = NULL;

  if (tempfail)
    return;
  g_assert_cmpint (r->verdict, ==, MG_VERDICT_WITHHELD);
  g_assert_true (r->held);
  g_assert_nonnull (strstr (r->reason, "the sanitiser failed"));
  if (strstr (r->reason, c[1]) == NULL)
    g_error ("%s: withheld for another reason: %s", how, r->reason);
  g_assert_true (contains (r->output, "X-Mugai: withheld; id="));
  assert_not_delivered (r->output);
  /* the original is kept for an administrator, under the front's own id */
  store = mg_quarantine_store_open (config, &error);
  g_assert_no_error (error);
  item = mg_quarantine_store_get (store, r->id, &error);
  g_assert_no_error (error);
  g_assert_true (item->held);
}

/* Each spoiled reply and what the front must say it found. */
static const char *const hostile[][2] = {
  { "id-abc", "no valid id" },
  { "id-path", "no valid id" },
  { "id-other", "the report has another id" },
  { "id-nul", "field 7 is not UTF-8 text" },
  { "missing-id", "field 7 missing" },
  { "missing-verdict", "field 4 missing" },
  { "missing-report", "field 10 missing" },
  { "missing-output", "field 9 missing" },
  { "missing-virus", "field 5 missing" },
  { "missing-store", "field 6 missing" },
  { "type-hello", "mail result expected, another message type came" },
  { "type-job", "mail result expected, another message type came" },
  { "type-failed", "mail result expected, another message type came" },
  { "type-file-result", "mail result expected, another message type came" },
  { "failed-honest", "the worker failed: boom" },
  { "field-extra", "mail result: unexpected field 13" },
  { "reason-long", "field 8 longer than 4096 bytes" },
  { "sender-smtp", "the sender is not a plain addr-spec" },
  { "recipients-bad", "the recipients are not plain addr-specs" },
  { "recipients-twice", "the recipients are not plain addr-specs" },
  { "verdict-tempfail", "verdict out of range" },
  { "verdict-99", "verdict out of range" },
  { "verdict-long", "field 4 longer than 4 bytes" },
  { "report-not-json", "not a JSON object" },
  { "report-array", "not a JSON object" },
  { "report-parts-not-list", "parts are not a list" },
  { "report-not-utf8", "field 10 is not UTF-8 text" },
  { "output-oversized", "larger than allowed" },
  { "smuggle-append", "a part the report says was removed" },
  { "smuggle-swap", "a part the report says was removed" },
  { "smuggle-hidden", "an attachment the report does not list" },
  { "smuggle-original", "not marked with the result's verdict" },
  { "withheld-with-attachment", "a withheld output carries an attachment" },
  { "raw-duplicate", "unknown or repeated field" },
  { "raw-unknown-tag", "unknown or repeated field" },
  { "raw-unknown-type", "unknown type" },
  { "raw-huge", "larger than allowed" },
  { "raw-truncated", "peer closed the channel" },
  { "raw-overrun", "field overruns the frame" },
};

/* ------------------------------------------------------------------- PPAP */

typedef struct {
  const char *name;
  const char *mail;
  const char *password; /* "HOW:PASSWORD" */
  MgPpapKind kind;      /* what the front must say */
  const char *error;    /* in the error's message, when it fails */
} PpapCase;

static const PpapCase ppap_cases[] = {
  { "opened", PPAP_ONE, "honest:pw-2026", MG_PPAP_OK, NULL },
  { "wrong-password", PPAP_ONE, "honest:not-it", MG_PPAP_WRONG_PASSWORD,
    "the archive password is wrong" },
  { "no-archive", MESSAGE, "honest:pw-2026", MG_PPAP_NO_ARCHIVE,
    "no attachment is a password-protected ZIP" },
  { "limit", PPAP_TWO, "honest:pw-2026", MG_PPAP_LIMIT, "more members than [archive]" },
  /* spoiled: no typed answer, whatever the worker claims */
  { "kind-99", PPAP_ONE, "kind-99:not-it", MG_PPAP_NO_ANSWER,
    "PPAP result: kind out of range" },
  { "kind-no-answer", PPAP_ONE, "kind-no-answer:not-it", MG_PPAP_NO_ANSWER,
    "PPAP result: kind out of range" },
  { "kind-missing", PPAP_ONE, "kind-missing:not-it", MG_PPAP_NO_ANSWER, "field 24 missing" },
  { "kind-opened-with-reason", PPAP_ONE, "kind-opened:not-it", MG_PPAP_NO_ANSWER,
    "PPAP result: the kind and the output disagree" },
  { "kind-failed-with-output", PPAP_ONE, "kind-failed:pw-2026", MG_PPAP_NO_ANSWER,
    "PPAP result: the kind and the output disagree" },
};

/* The ZIP attachment of OPENED (base64, after its headers) holds a.txt
 * without encryption: the local header's flag bit 0 is off. */
static void
assert_plain_zip (GBytes *opened)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (opened, NULL),
                                     g_bytes_get_size (opened));
  char *body = strstr (text, "filename=\"x.zip\"");
  gsize len = 0;

  g_assert_nonnull (body);
  body = strstr (body, "\n\n");
  g_assert_nonnull (body);
  *strstr (body, "--b1--") = '\0';
  g_autofree guchar *zip = g_base64_decode (body, &len);
  g_assert_cmpuint (len, >, 35);
  g_assert_cmpmem (zip, 4, "PK\x03\x04", 4);
  g_assert_cmpuint (zip[6] & 1, ==, 0);
  g_assert_cmpmem (zip + 30, 5, "a.txt", 5);
}

static void
test_ppap (gconstpointer data)
{
  const PpapCase *c = data;
  g_autoptr (GBytes) mail = g_bytes_new_static (c->mail, strlen (c->mail));
  g_autoptr (GBytes) opened = NULL;
  g_autoptr (GError) error = NULL;
  MgPpapKind kind = MG_PPAP_DAMAGED;
  guint zips = 0;

  opened = mg_remote_ppap_open (pipeline, mail, c->password, &zips, &kind, &error);
  g_assert_cmpint (kind, ==, c->kind);
  if (c->kind == MG_PPAP_OK) {
    g_assert_no_error (error);
    g_assert_cmpuint (zips, ==, 1);
    assert_plain_zip (opened);
    return;
  }
  g_assert_null (opened);
  g_assert_nonnull (error);
  g_assert_true (error->domain ==
                 (c->kind == MG_PPAP_NO_ANSWER ? MG_PROTOCOL_ERROR : MG_QUARANTINE_ERROR));
  if (strstr (error->message, c->error) == NULL)
    g_error ("%s: %s", c->name, error->message);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const char *src = g_getenv ("MUGAI_SRCDIR");

  if (argc == 5 && g_str_equal (argv[1], MG_WORKER_SUPERVISOR_ARG))
    return supervisor_main (argv);
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK); /* the front warns of each bad reply */
  dir = g_dir_make_tmp ("mugai-worker-test-XXXXXX", NULL);
  path = g_build_filename (dir, "mugai.conf", NULL);
  text = g_strdup_printf ("[clamav]\ndatabase = %s/test/data/clamav\n"
                          "[quarantine]\ndirectory = %s\n"
                          "[limits]\nmessage_size = 1048576\n"
                          "[sandbox]\nworkers = 1\n"
                          "[archive]\nmax_members = 1\n",
                          src != NULL ? src : ".", dir);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  config = mg_config_load (path, &error);
  g_assert_no_error (error);
  pipeline = mg_remote_pipeline_new (config, &error);
  g_assert_no_error (error);
  g_test_add_func ("/worker/honest", test_honest);
  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++) {
    g_autofree char *name = g_strconcat ("/worker/hostile/", hostile[i][0], NULL);
    g_test_add_data_func (name, hostile[i], test_hostile);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (ppap_cases); i++) {
    g_autofree char *name = g_strconcat ("/worker/ppap/", ppap_cases[i].name, NULL);
    g_test_add_data_func (name, &ppap_cases[i], test_ppap);
  }
  return g_test_run ();
}
