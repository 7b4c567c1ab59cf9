/* image_jpeg.c - lossless JPEG transcoding with libjpeg (see image_jpeg.h).
 *
 * One decompressor reads the header and the coefficients from memory; one
 * compressor, given only jpeg_copy_critical_parameters, writes them again.
 * Both share an error manager that longjmps back to mg_image_jpeg_transcode
 * (libjpeg's default would print and exit) and counts warnings in silence.
 * The output goes to a buffer of this module rather than jpeg_mem_dest's:
 * after a longjmp, jpeg_mem_dest's grown buffer is neither freed nor
 * reachable. This module never returns the input bytes, never copies a
 * saved marker to the output and never reads past EOI.
 */
#include "filters/image_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#define MG_IMAGE_JPEG_CHUNK 65536 /* first size of the output buffer */
#define MG_IMAGE_JPEG_APP1 (JPEG_APP0 + 1)

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  gboolean too_many_scans;
  gboolean too_slow;
  gint64 deadline;
} JpegError;

typedef struct {
  struct jpeg_destination_mgr pub;
  guchar *data;
  gsize size;
} JpegDest;

typedef struct {
  struct jpeg_decompress_struct in;
  struct jpeg_compress_struct out;
  struct jpeg_progress_mgr progress;
  struct jpeg_progress_mgr out_progress;
  JpegError error;
  JpegDest dest;
  const MgImageLimits *limits;
  MgImageJpeg *jpeg;
} JpegJob;

/* --- errors ------------------------------------------------------------ */

static void
error_jump (j_common_ptr cinfo)
{
  longjmp (((JpegError *) cinfo->err)->jump, 1);
}

/* A warning (level -1) is counted; trace messages are dropped. */
static void
error_count (j_common_ptr cinfo, int level)
{
  if (level < 0)
    cinfo->err->num_warnings++;
}

static void
error_silent (j_common_ptr cinfo)
{
  (void) cinfo;
}

static void
progress_check_time (j_common_ptr cinfo)
{
  JpegError *err = (JpegError *) cinfo->err;

  if (err->deadline != 0 && g_get_monotonic_time () > err->deadline) {
    err->too_slow = TRUE;
    error_jump (cinfo);
  }
}

/* progress_monitor of the decompressor: called before each step of input,
 * so a scan over the limit is stopped as it starts. */
static void
progress_count_scans (j_common_ptr cinfo)
{
  if (((j_decompress_ptr) cinfo)->input_scan_number > MG_IMAGE_JPEG_MAX_SCANS) {
    ((JpegError *) cinfo->err)->too_many_scans = TRUE;
    error_jump (cinfo);
  }
  progress_check_time (cinfo);
}

/* --- the output buffer ------------------------------------------------- */

static void
dest_init (j_compress_ptr cinfo)
{
  JpegDest *dest = (JpegDest *) cinfo->dest;

  dest->data = g_try_malloc (MG_IMAGE_JPEG_CHUNK);
  if (dest->data == NULL)
    ERREXIT1 (cinfo, JERR_OUT_OF_MEMORY, 0);
  dest->size = MG_IMAGE_JPEG_CHUNK;
  dest->pub.next_output_byte = dest->data;
  dest->pub.free_in_buffer = dest->size;
}

/* The buffer is full (libjpeg calls this only then): double it. */
static boolean
dest_grow (j_compress_ptr cinfo)
{
  JpegDest *dest = (JpegDest *) cinfo->dest;
  guchar *bigger = dest->size <= G_MAXSIZE / 2 ? g_try_realloc (dest->data, dest->size * 2)
                                               : NULL;

  if (bigger == NULL)
    ERREXIT1 (cinfo, JERR_OUT_OF_MEMORY, 1);
  dest->data = bigger;
  dest->pub.next_output_byte = bigger + dest->size;
  dest->pub.free_in_buffer = dest->size;
  dest->size *= 2;
  return TRUE;
}

static void
dest_term (j_compress_ptr cinfo)
{
  JpegDest *dest = (JpegDest *) cinfo->dest;

  dest->size -= dest->pub.free_in_buffer;
}

/* --- the header -------------------------------------------------------- */

static guint
exif_get (const JOCTET *p, gboolean big_endian, int bytes)
{
  guint v = 0;

  for (int i = 0; i < bytes; i++)
    v |= (guint) p[i] << (8 * (big_endian ? bytes - 1 - i : i));
  return v;
}

/* Where the TIFF header of an Exif APP1 segment starts, -1 when there is
 * none. gdk-pixbuf looks for it in the first 16 bytes, not only at 6. */
static gssize
exif_tiff_start (const JOCTET *data, gsize len, gboolean *big_endian_r)
{
  if (len < 32 || memcmp (data, "Exif", 4) != 0)
    return -1;
  for (gsize i = 0; i < 16; i++) {
    *big_endian_r = memcmp (data + i, "MM\0\x2a", 4) == 0;
    if (*big_endian_r || memcmp (data + i, "II\x2a\0", 4) == 0)
      return (gssize) i;
  }
  return -1;
}

/* The orientation tag (0x112, one SHORT or SLONG) of IFD0 in an Exif APP1
 * segment (DATA, LEN bytes), read as gdk-pixbuf 2.42 reads it, whose
 * decoder turns the pixels: a value over 8 is 0; -1 when there is no tag. */
static int
exif_orientation (const JOCTET *data, gsize len)
{
  gboolean be = FALSE;
  gssize tiff = exif_tiff_start (data, len, &be);
  int orientation = -1;

  if (tiff < 0)
    return -1;
  gsize at = (gsize) tiff + exif_get (data + tiff + 4, be, 4);
  if (at + 2 > len)
    return -1;
  gsize count = exif_get (data + at, be, 2);
  at += 2;
  if (at + count * 12 > len)
    return -1; /* gdk-pixbuf reads no tag of a cut IFD */
  for (gsize end = at + count * 12; at < end; at += 12) {
    guint type = exif_get (data + at + 2, be, 2);
    if (exif_get (data + at, be, 2) != 0x112 || exif_get (data + at + 4, be, 4) != 1 ||
        (type != 3 && type != 9))
      continue;
    guint value = exif_get (data + at + 8, be, type == 3 ? 2 : 4);
    orientation = value <= 8 ? (int) value : 0;
  }
  return orientation;
}

/* The orientation of the last Exif segment that has the tag, 0 when none. */
static int
exif_last_orientation (j_decompress_ptr in)
{
  int orientation = 0;

  for (jpeg_saved_marker_ptr m = in->marker_list; m != NULL; m = m->next) {
    int o = m->marker == MG_IMAGE_JPEG_APP1 ? exif_orientation (m->data, m->data_length) : -1;
    if (o >= 0)
      orientation = o;
  }
  return orientation;
}

/* TRUE when libjpeg's decoder can show IN: each component's sampling
 * factors divide the largest ones (the upsampler does no other ratio),
 * though the coefficients alone can be read and written whatever they are. */
static gboolean
sampling_decodes (j_decompress_ptr in)
{
  for (int ci = 0; ci < in->num_components; ci++) {
    const jpeg_component_info *c = &in->comp_info[ci];
    if (in->max_h_samp_factor % c->h_samp_factor != 0 ||
        in->max_v_samp_factor % c->v_samp_factor != 0)
      return FALSE;
  }
  return TRUE;
}

/* What the header says, before any coefficient is read. */
static MgImageJpegStatus
job_check (JpegJob *job)
{
  j_decompress_ptr in = &job->in;
  MgImageJpeg *jpeg = job->jpeg;

  jpeg->width = (int) in->image_width;
  jpeg->height = (int) in->image_height;
  jpeg->progressive = in->progressive_mode;
  jpeg->arithmetic = in->arith_code;
  if (jpeg->width > job->limits->max_dimension || jpeg->height > job->limits->max_dimension ||
      (gint64) jpeg->width * jpeg->height > job->limits->max_pixels)
    return MG_IMAGE_JPEG_TOO_BIG;
  if (in->jpeg_color_space == JCS_UNKNOWN) {
    jpeg->message = g_strdup_printf ("%d colour components are not an image a viewer shows",
                                     in->num_components);
    return MG_IMAGE_JPEG_BAD;
  }
  if (!sampling_decodes (in)) {
    jpeg->message = g_strdup ("its sampling factors are not whole ratios, which no decoder"
                              " shows");
    return MG_IMAGE_JPEG_BAD;
  }
  jpeg->orientation = exif_last_orientation (in);
  return jpeg->orientation >= 2 && jpeg->orientation <= 8 ? MG_IMAGE_JPEG_TURN
                                                          : MG_IMAGE_JPEG_DONE;
}

/* --- transcoding ------------------------------------------------------- */

static void
job_write (JpegJob *job, jvirt_barray_ptr *coefficients)
{
  j_compress_ptr out = &job->out;

  jpeg_copy_critical_parameters (&job->in, out);
  out->optimize_coding = TRUE; /* the tables follow from the coefficients alone */
  out->arith_code = FALSE;     /* Huffman, and no scan script: baseline sequential */
  out->restart_interval = 0;
  out->restart_in_rows = 0;
  /* libjpeg's own Adobe marker only where the input had one: whether CMYK
   * is stored inverted is read from it */
  out->write_Adobe_marker = job->in.saw_Adobe_marker;
  job->dest.pub.init_destination = dest_init;
  job->dest.pub.empty_output_buffer = dest_grow;
  job->dest.pub.term_destination = dest_term;
  out->dest = &job->dest.pub;
  jpeg_write_coefficients (out, coefficients);
  jpeg_finish_compress (out); /* before the decompressor frees the coefficients */
}

static MgImageJpegStatus
job_failed (JpegJob *job)
{
  char message[JMSG_LENGTH_MAX];

  if (job->error.too_many_scans)
    return MG_IMAGE_JPEG_TOO_MANY_SCANS;
  if (job->error.too_slow)
    return MG_IMAGE_JPEG_TOO_SLOW;
  job->error.pub.format_message ((j_common_ptr) &job->in, message);
  job->jpeg->message = g_strdup (message);
  return MG_IMAGE_JPEG_BAD;
}

/* Every libjpeg call is here, below the setjmp; nothing local to this
 * function changes after it. */
static MgImageJpegStatus
job_run (JpegJob *job, const guchar *data, gsize len)
{
  MgImageJpegStatus status;

  job->in.err = jpeg_std_error (&job->error.pub);
  job->error.pub.error_exit = error_jump;
  job->error.pub.emit_message = error_count;
  job->error.pub.output_message = error_silent;
  job->out.err = &job->error.pub;
  if (setjmp (job->error.jump))
    return job_failed (job);
  jpeg_create_decompress (&job->in);
  jpeg_create_compress (&job->out);
  job->progress.progress_monitor = progress_count_scans;
  job->in.progress = &job->progress;
  job->out_progress.progress_monitor = progress_check_time;
  job->out.progress = &job->out_progress;
  jpeg_mem_src (&job->in, data, len);
  jpeg_save_markers (&job->in, MG_IMAGE_JPEG_APP1, 0xffff); /* read, never written */
  jpeg_read_header (&job->in, TRUE);
  status = job_check (job);
  if (status != MG_IMAGE_JPEG_DONE && status != MG_IMAGE_JPEG_TURN)
    return status;
  /* read for TURN too: the scan limit then holds before gdk-pixbuf decodes */
  jvirt_barray_ptr *coefficients = jpeg_read_coefficients (&job->in);
  job->jpeg->damaged = job->error.pub.num_warnings; /* the compressor resets it */
  if (status == MG_IMAGE_JPEG_TURN)
    return status;
  job_write (job, coefficients);
  return MG_IMAGE_JPEG_DONE;
}

MgImageJpegStatus
mg_image_jpeg_transcode (GBytes *input, const MgImageLimits *limits, gint64 deadline,
                         MgImageJpeg *jpeg_r)
{
  g_autofree JpegJob *job = g_new0 (JpegJob, 1);
  gsize len;
  const guchar *data = g_bytes_get_data (input, &len);

  memset (jpeg_r, 0, sizeof *jpeg_r);
  job->limits = limits;
  job->jpeg = jpeg_r;
  job->error.deadline = deadline;
  MgImageJpegStatus status = job_run (job, data, len);
  if (status == MG_IMAGE_JPEG_DONE)
    jpeg_r->output = g_bytes_new_take (
        g_realloc (g_steal_pointer (&job->dest.data), job->dest.size), job->dest.size);
  jpeg_destroy_compress (&job->out);
  jpeg_destroy_decompress (&job->in);
  g_free (job->dest.data);
  return status;
}

void
mg_image_jpeg_clear (MgImageJpeg *jpeg)
{
  g_clear_pointer (&jpeg->output, g_bytes_unref);
  g_clear_pointer (&jpeg->message, g_free);
}
