/* test_milter_units.c - mugai-milter's modules against a fake pipeline and a
 * recording stand-in for libmilter's modification calls.
 *
 * Covers what the Postfix tests cannot force: header deletion order and
 * indexes, body chunking and line ends, an empty body, malformed pipeline
 * output, spooling to a file, the in-flight limit (busy at once), the
 * deadline, progress calls, and the engine swap with references held. It
 * never starts Postfix or libmilter's loop.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "milter/milter_apply.h"
#include "milter/milter_engine.h"
#include "milter/milter_reply.h"
#include "milter/milter_spool.h"
#include "milter/milter_work.h"

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

/* ---------------------------------------------------------------- fake pipeline */

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-pipeline-error-quark, mg_pipeline_error)
/* clang-format on */

struct MgPipeline {
  int generation;
};

static gint pipelines_alive;
static gint pipelines_made;
static guint fake_delay_ms;
static GMutex gate_lock;
static GCond gate_cond;
static gboolean gate_closed;

MgPipeline *
mg_remote_pipeline_new (const MgConfig *config, GError **error)
{
  MgPipeline *p = g_new0 (MgPipeline, 1);

  (void) config;
  (void) error;
  p->generation = g_atomic_int_add (&pipelines_made, 1) + 1;
  g_atomic_int_inc (&pipelines_alive);
  return p;
}

void
mg_pipeline_free (MgPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  g_atomic_int_dec_and_test (&pipelines_alive);
  g_free (pipeline);
}

/* The fake sets only id and output. */
void
mg_mail_result_free (MgMailResult *result)
{
  if (result != NULL)
    g_bytes_unref (result->output);
  if (result != NULL)
    g_free (result->id);
  g_free (result);
}

gboolean
mg_pipeline_mail_envelope (MgPipeline *pipeline, GBytes *message, const char *queue_id,
                           const MgEnvelope *envelope, MgMailResult **result_r, GError **error)
{
  MgMailResult *r = g_new0 (MgMailResult, 1);

  (void) envelope;
  (void) message;
  (void) queue_id;
  (void) error;
  g_mutex_lock (&gate_lock);
  while (gate_closed)
    g_cond_wait (&gate_cond, &gate_lock);
  g_mutex_unlock (&gate_lock);
  if (fake_delay_ms > 0)
    g_usleep (fake_delay_ms * 1000);
  r->verdict = MG_VERDICT_SANITISED;
  r->id = g_strdup_printf ("gen%d", pipeline->generation);
  r->output = text_bytes ("X-Mugai: sanitised\n\nok\n");
  *result_r = r;
  return TRUE;
}

static void
set_gate (gboolean closed)
{
  g_mutex_lock (&gate_lock);
  gate_closed = closed;
  g_cond_broadcast (&gate_cond);
  g_mutex_unlock (&gate_lock);
}

/* ---------------------------------------------------------------- recorder */

typedef struct {
  GPtrArray *ops; /* "DEL name idx", "ADD name=value", "BODY n" */
  GByteArray *body;
  int fail_after; /* fail the Nth operation (1-based), 0: never */
} Recorder;

static gboolean
record (Recorder *r, char *op)
{
  g_ptr_array_add (r->ops, op);
  return r->fail_after == 0 || (int) r->ops->len < r->fail_after;
}

static gboolean
rec_chgheader (gpointer ctx, const char *name, int index, const char *value)
{
  g_assert_null (value);
  return record (ctx, g_strdup_printf ("DEL %s %d", name, index));
}

static gboolean
rec_addheader (gpointer ctx, const char *name, const char *value)
{
  return record (ctx, g_strdup_printf ("ADD %s=%s", name, value));
}

static gboolean
rec_replacebody (gpointer ctx, const guint8 *data, gsize len)
{
  Recorder *r = ctx;

  g_assert_cmpuint (len, <=, MG_MILTER_APPLY_CHUNK);
  g_byte_array_append (r->body, data, len);
  return record (r, g_strdup_printf ("BODY %zu", len));
}

static const MgMilterApplyOps recorder_ops = { rec_chgheader, rec_addheader, rec_replacebody };

static Recorder *
recorder_new (void)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->ops = g_ptr_array_new_with_free_func (g_free);
  r->body = g_byte_array_new ();
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_ptr_array_unref (r->ops);
  g_byte_array_unref (r->body);
  g_free (r);
}

static GPtrArray *
originals (const char *const *pairs)
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_milter_header_free);

  for (int i = 0; pairs[i] != NULL; i += 2)
    g_ptr_array_add (a, mg_milter_header_new (pairs[i], pairs[i + 1]));
  return a;
}

static const char *
op (Recorder *r, guint i)
{
  return g_ptr_array_index (r->ops, i);
}

/* ---------------------------------------------------------------- apply */

static void
test_apply_order (void)
{
  const char *const pairs[] = { "Received", " a", "From",     " x@y", "received", " b",
                                "X-Evil",   " 1", "RECEIVED", " c",   NULL };
  g_autoptr (GPtrArray) orig = originals (pairs);
  g_autoptr (GBytes) out = text_bytes ("From: x@y\nSubject: folded\n second line\n"
                                       "X-Mugai: sanitised; id=1\n\nline1\nline2\n");
  Recorder *r = recorder_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (mg_milter_apply (&recorder_ops, r, orig, out, TRUE, &error));
  g_assert_no_error (error);
  /* Deleted last first, each name counted case-insensitively as shown. */
  g_assert_cmpstr (op (r, 0), ==, "DEL RECEIVED 3");
  g_assert_cmpstr (op (r, 1), ==, "DEL X-Evil 1");
  g_assert_cmpstr (op (r, 2), ==, "DEL received 2");
  g_assert_cmpstr (op (r, 3), ==, "DEL From 1");
  g_assert_cmpstr (op (r, 4), ==, "DEL Received 1");
  /* Added in order, values as after the colon (LEADSPC), folds kept. */
  g_assert_cmpstr (op (r, 5), ==, "ADD From= x@y");
  g_assert_cmpstr (op (r, 6), ==, "ADD Subject= folded\n second line");
  g_assert_cmpstr (op (r, 7), ==, "ADD X-Mugai= sanitised; id=1");
  g_assert_cmpstr (op (r, 8), ==, "BODY 14");
  g_assert_cmpuint (r->ops->len, ==, 9);
  g_assert_cmpmem (r->body->data, r->body->len, "line1\r\nline2\r\n", 14);
  recorder_free (r);
}

/* The leading fields the output has unchanged stay: the fields after them
 * are deleted and the output's rest added, which yields the same header. */
static void
test_apply_keeps_unchanged_prefix (void)
{
  const char *const pairs[] = { "Received", " a", "From",   " x@y", "Received", " b",
                                "Subject",  " s", "X-Evil", " 1",   NULL };
  g_autoptr (GPtrArray) orig = originals (pairs);
  g_autoptr (GBytes) out = text_bytes ("Received: a\nFrom: x@y\nSubject: s2\n"
                                       "X-Mugai: sanitised\n\nb\n");
  Recorder *r = recorder_new ();
  Recorder *trimmed = recorder_new ();

  g_assert_true (mg_milter_apply (&recorder_ops, r, orig, out, TRUE, NULL));
  g_assert_cmpstr (op (r, 0), ==, "DEL X-Evil 1");
  g_assert_cmpstr (op (r, 1), ==, "DEL Subject 1");
  g_assert_cmpstr (op (r, 2), ==, "DEL Received 2"); /* the first one stays */
  g_assert_cmpstr (op (r, 3), ==, "ADD Subject= s2");
  g_assert_cmpstr (op (r, 4), ==, "ADD X-Mugai= sanitised");
  g_assert_cmpstr (op (r, 5), ==, "BODY 3");
  g_assert_cmpuint (r->ops->len, ==, 6);
  /* Without LEADSPC the MTA showed trimmed values: every field is replaced. */
  g_assert_true (mg_milter_apply (&recorder_ops, trimmed, orig, out, FALSE, NULL));
  g_assert_cmpstr (op (trimmed, 0), ==, "DEL X-Evil 1");
  g_assert_cmpstr (op (trimmed, 4), ==, "DEL Received 1");
  g_assert_cmpstr (op (trimmed, 5), ==, "ADD Received=a");
  g_assert_cmpuint (trimmed->ops->len, ==, 10);
  recorder_free (r);
  recorder_free (trimmed);
}

static void
test_apply_no_leadspc (void)
{
  const char *const none[] = { NULL };
  g_autoptr (GPtrArray) orig = originals (none);
  g_autoptr (GBytes) out = text_bytes ("Subject:   spaced\n\nb");
  Recorder *r = recorder_new ();

  g_assert_true (mg_milter_apply (&recorder_ops, r, orig, out, FALSE, NULL));
  g_assert_cmpstr (op (r, 0), ==, "ADD Subject=spaced");
  /* A last line without LF stays without one. */
  g_assert_cmpmem (r->body->data, r->body->len, "b", 1);
  recorder_free (r);
}

static void
test_apply_big_body (void)
{
  const char *const none[] = { NULL };
  g_autoptr (GPtrArray) orig = originals (none);
  g_autoptr (GString) text = g_string_new ("X-Mugai: sanitised\n\n");
  g_autoptr (GString) expected = g_string_new (NULL);
  Recorder *r = recorder_new ();

  for (int i = 0; i < 30000; i++) {
    g_string_append_printf (text, "line %d\n", i);
    g_string_append_printf (expected, "line %d\r\n", i);
  }
  g_autoptr (GBytes) out = g_bytes_new (text->str, text->len);
  g_assert_true (mg_milter_apply (&recorder_ops, r, orig, out, TRUE, NULL));
  g_assert_cmpuint (r->ops->len, >, 4);
  g_assert_cmpmem (r->body->data, r->body->len, expected->str, expected->len);
  recorder_free (r);
}

static void
test_apply_empty_body (void)
{
  const char *const pairs[] = { "Subject", " s", NULL };
  g_autoptr (GPtrArray) orig = originals (pairs);
  g_autoptr (GBytes) out = text_bytes ("X-Mugai: withheld\n\n");
  Recorder *r = recorder_new ();

  g_assert_true (mg_milter_apply (&recorder_ops, r, orig, out, TRUE, NULL));
  /* libmilter sends nothing for an empty replacement: one empty line instead. */
  g_assert_cmpstr (op (r, r->ops->len - 1), ==, "BODY 2");
  g_assert_cmpmem (r->body->data, r->body->len, "\r\n", 2);
  recorder_free (r);
}

static void
test_apply_bad_output (void)
{
  const char *const pairs[] = { "Subject", " s", NULL };
  const char *const bad[] = {
    "X-Mugai: x\nno blank line\n", "X-Mugai: x",       "Bad Name: v\n\nb",
    " continuation first\n\nb",    ":empty name\n\nb", NULL
  };

  for (int i = 0; bad[i] != NULL; i++) {
    g_autoptr (GPtrArray) orig = originals (pairs);
    g_autoptr (GBytes) out = text_bytes (bad[i]);
    g_autoptr (GError) error = NULL;
    Recorder *r = recorder_new ();
    g_assert_false (mg_milter_apply (&recorder_ops, r, orig, out, TRUE, &error));
    g_assert_nonnull (error);
    /* Nothing was changed before the output was found malformed. */
    g_assert_cmpuint (r->ops->len, ==, 0);
    recorder_free (r);
  }
}

static void
test_apply_op_fails (void)
{
  const char *const pairs[] = { "A", " 1", "B", " 2", NULL };
  g_autoptr (GPtrArray) orig = originals (pairs);
  g_autoptr (GBytes) out = text_bytes ("X-Mugai: s\n\nbody\n");
  g_autoptr (GError) error = NULL;
  Recorder *r = recorder_new ();

  r->fail_after = 2;
  g_assert_false (mg_milter_apply (&recorder_ops, r, orig, out, TRUE, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (r->ops->len, ==, 2); /* stopped at the failing call */
  recorder_free (r);
}

/* ---------------------------------------------------------------- spool */

static void
check_spool (gsize threshold, gboolean expect_disk)
{
  g_autoptr (MgMilterSpool) spool = mg_milter_spool_new (threshold);
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autoptr (GBytes) bytes = NULL;

  g_assert_true (mg_milter_spool_add_header (spool, "Subject", "  two\n\tfolded", TRUE, NULL));
  g_assert_true (mg_milter_spool_add_header (spool, "To", "x@y", FALSE, NULL));
  g_string_append (expected, "Subject:  two\r\n\tfolded\r\nTo: x@y\r\n");
  g_assert_true (mg_milter_spool_append (spool, "\r\n", 2, NULL));
  g_string_append (expected, "\r\n");
  for (int i = 0; i < 2000; i++) {
    g_autofree char *line = g_strdup_printf ("body %d \xe6\x97\xa5\r\n", i);
    g_assert_true (mg_milter_spool_append (spool, line, strlen (line), NULL));
    g_string_append (expected, line);
  }
  g_assert_cmpint (mg_milter_spool_on_disk (spool), ==, expect_disk);
  g_assert_cmpuint (mg_milter_spool_size (spool), ==, expected->len);
  bytes = mg_milter_spool_bytes (spool, NULL);
  g_assert_nonnull (bytes);
  g_clear_pointer (&spool, mg_milter_spool_free); /* the bytes outlive the spool */
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected->str,
                   expected->len);
}

static void
test_spool_memory (void)
{
  check_spool (1024 * 1024, FALSE);
}

static void
test_spool_file (void)
{
  check_spool (4096, TRUE);
}

/* ---------------------------------------------------------------- work, engine */

static MgConfig *
test_config (const char *dir)
{
  MgConfig *config = mg_config_new_default ();

  g_free (config->clamav_database);
  config->clamav_database = g_strdup (dir);
  return config;
}

static void
count_progress (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

typedef struct {
  MgMilterWork *work;
  gboolean ok;
} Runner;

static gpointer
run_one (gpointer data)
{
  Runner *runner = data;
  g_autoptr (GBytes) msg = text_bytes ("Subject: x\r\n\r\nb\r\n");
  g_autoptr (MgMailResult) result = NULL;

  runner->ok = mg_milter_work_run (runner->work, msg, "Q1", NULL, NULL, NULL, &result, NULL);
  return NULL;
}

static void
test_work_busy_and_timeout (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mugai-unit-XXXXXX", NULL);
  g_autoptr (MgConfig) config = test_config (dir);
  g_autoptr (MgMilterEngine) engine = mg_milter_engine_new (config, NULL);
  MgMilterWork *work = mg_milter_work_new (engine, 1, 2, 1);
  g_autoptr (GBytes) msg = text_bytes ("Subject: x\r\n\r\nb\r\n");
  g_autoptr (GError) error = NULL;
  MgMailResult *result = NULL;
  Runner runner = { work, FALSE };
  GThread *first;
  gint progress = 0;

  set_gate (TRUE);
  first = g_thread_new ("first", run_one, &runner);
  while (mg_milter_work_inflight (work) == 0)
    g_usleep (1000);
  /* One slot, taken: the next message is refused at once. */
  g_assert_false (mg_milter_work_run (work, msg, "Q2", NULL, NULL, NULL, &result, &error));
  g_assert_error (error, MG_MILTER_WORK_ERROR, MG_MILTER_WORK_ERROR_BUSY);
  g_assert_null (result);
  g_clear_error (&error);
  set_gate (FALSE);
  g_thread_join (first);
  g_assert_true (runner.ok);
  g_assert_cmpuint (mg_milter_work_inflight (work), ==, 0);
  /* A pipeline slower than the deadline: tempfail, with progress meanwhile. */
  fake_delay_ms = 3500;
  g_assert_false (
      mg_milter_work_run (work, msg, "Q3", NULL, count_progress, &progress, &result, &error));
  g_assert_error (error, MG_MILTER_WORK_ERROR, MG_MILTER_WORK_ERROR_TIMEOUT);
  g_assert_cmpint (progress, >=, 1);
  fake_delay_ms = 0;
  mg_milter_work_free (work); /* waits for the timed-out job */
  g_rmdir (dir);
}

static void
test_engine_reload (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mugai-unit-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "new.ndb", NULL);
  g_autoptr (MgConfig) config = test_config (dir);
  MgMilterEngine *engine = mg_milter_engine_new (config, NULL);
  MgMilterEngineRef *held = mg_milter_engine_acquire (engine);
  gint alive = g_atomic_int_get (&pipelines_alive);

  g_assert_false (mg_milter_engine_check (engine)); /* nothing changed */
  g_assert_true (g_file_set_contents (file, "Sig:0:*:41414141\n", -1, NULL));
  g_assert_false (mg_milter_engine_check (engine)); /* changed, not settled yet */
  g_assert_true (mg_milter_engine_check (engine));  /* settled: reloaded */
  g_assert_cmpuint (mg_milter_engine_generation (engine), ==, 2);
  /* The old pipeline lives on for the message that holds it. */
  g_assert_cmpint (g_atomic_int_get (&pipelines_alive), ==, alive + 1);
  g_assert_cmpint (mg_milter_engine_ref_pipeline (held)->generation, <,
                   g_atomic_int_get (&pipelines_made));
  mg_milter_engine_release (held);
  g_assert_cmpint (g_atomic_int_get (&pipelines_alive), ==, alive);
  g_assert_true (mg_milter_engine_reload (engine)); /* SIGHUP: unconditional */
  g_assert_cmpuint (mg_milter_engine_generation (engine), ==, 3);
  mg_milter_engine_free (engine);
  g_assert_cmpint (g_atomic_int_get (&pipelines_alive), ==, alive - 1);
  g_unlink (file);
  g_rmdir (dir);
}

/* ---------------------------------------------------------------- reply */

static void
test_reply (void)
{
  g_autoptr (GError)
      busy = g_error_new_literal (MG_MILTER_WORK_ERROR, MG_MILTER_WORK_ERROR_BUSY, "busy");

  g_assert_cmpint (mg_milter_reply (NULL, MG_MILTER_OUTCOME_COLLECTING, NULL), ==,
                   SMFIS_CONTINUE);
  g_assert_cmpint (mg_milter_reply (NULL, MG_MILTER_OUTCOME_DELIVERED, NULL), ==,
                   SMFIS_CONTINUE);
  g_assert_cmpint (mg_milter_reply (NULL, MG_MILTER_OUTCOME_VIRUS, NULL), ==, SMFIS_REJECT);
  g_assert_cmpint (mg_milter_reply (NULL, MG_MILTER_OUTCOME_FAILED, busy), ==, SMFIS_TEMPFAIL);
  g_assert_cmpint (mg_milter_reply (NULL, MG_MILTER_OUTCOME_FAILED, NULL), ==, SMFIS_TEMPFAIL);
  g_assert_cmpint (mg_milter_reply (NULL, MG_MILTER_OUTCOME_STOPPING, NULL), ==,
                   SMFIS_TEMPFAIL);
  /* An outcome nobody planned for fails closed. */
  g_assert_cmpint (mg_milter_reply (NULL, (MgMilterOutcome) 99, NULL), ==, SMFIS_TEMPFAIL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/milter/apply/order", test_apply_order);
  g_test_add_func ("/milter/apply/keeps-unchanged-prefix", test_apply_keeps_unchanged_prefix);
  g_test_add_func ("/milter/apply/no-leadspc", test_apply_no_leadspc);
  g_test_add_func ("/milter/apply/big-body", test_apply_big_body);
  g_test_add_func ("/milter/apply/empty-body", test_apply_empty_body);
  g_test_add_func ("/milter/apply/bad-output", test_apply_bad_output);
  g_test_add_func ("/milter/apply/op-fails", test_apply_op_fails);
  g_test_add_func ("/milter/spool/memory", test_spool_memory);
  g_test_add_func ("/milter/spool/file", test_spool_file);
  g_test_add_func ("/milter/work/busy-and-timeout", test_work_busy_and_timeout);
  g_test_add_func ("/milter/engine/reload", test_engine_reload);
  g_test_add_func ("/milter/reply", test_reply);
  return g_test_run ();
}
