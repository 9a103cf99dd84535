/* fy-jpeg-decode.c: a JPEG decoded in one pass at a reduced DCT scale,
 * reading only the scans that scale needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libjpeg reads the file through a source that hands out spans of it: at
 * first the whole file; once the header is read and the scale chosen, the
 * rest of a progressive file less the scans no pixel needs (see
 * fy-jpeg-decode.h). Everything libjpeg then checks (markers, tables,
 * the order of the remaining scans) it checks as usual.
 */

#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "fy-image-scan.h"
#include "fy-jpeg-decode.h"
#include "fy-workload-error.h"

#define JPEG_MARKER_SOI 0xd8
#define JPEG_MARKER_EOI 0xd9
#define JPEG_MARKER_SOS 0xda
#define JPEG_MARKER_TEM 0x01

typedef struct
{
  const guint8 *data;
  gsize         len;
} Span;

typedef struct
{
  struct jpeg_source_mgr pub;
  GArray                *spans;  /* of Span, handed out in order */
  guint                  next;
} SpanSource;

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  char                  message[JMSG_LENGTH_MAX];
} ErrorJump;

static const JOCTET fake_end[2] = { 0xff, JPEG_MARKER_EOI };

static void
span_source_init (j_decompress_ptr cinfo)
{
}

/* The next span; past the last one an end-of-image marker, as libjpeg's
 * own memory source does, so a file cut short decodes as far as it goes
 * and the caller decides what a missing end means. */
static boolean
span_source_fill (j_decompress_ptr cinfo)
{
  SpanSource *src = (SpanSource *) cinfo->src;

  while (src->next < src->spans->len)
    {
      const Span *span = &g_array_index (src->spans, Span, src->next++);

      if (span->len > 0)
        {
          src->pub.next_input_byte = span->data;
          src->pub.bytes_in_buffer = span->len;
          return TRUE;
        }
    }
  WARNMS (cinfo, JWRN_JPEG_EOF);
  src->pub.next_input_byte = fake_end;
  src->pub.bytes_in_buffer = sizeof fake_end;
  return TRUE;
}

static void
span_source_skip (j_decompress_ptr cinfo,
                  long             n)
{
  SpanSource *src = (SpanSource *) cinfo->src;

  if (n <= 0)
    return;
  while ((size_t) n > src->pub.bytes_in_buffer)
    {
      n -= (long) src->pub.bytes_in_buffer;
      span_source_fill (cinfo);
    }
  src->pub.next_input_byte += n;
  src->pub.bytes_in_buffer -= (size_t) n;
}

static void
span_source_term (j_decompress_ptr cinfo)
{
}

static void
error_jump_exit (j_common_ptr cinfo)
{
  ErrorJump *err = (ErrorJump *) cinfo->err;

  err->pub.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

/* Warnings (corrupt data libjpeg decodes past) are not printed: gdk-pixbuf
 * keeps quiet about them too. */
static void
error_jump_output (j_common_ptr cinfo)
{
}

static void
add_span (GArray       *spans,
          const guint8 *start,
          const guint8 *end)
{
  Span span = { start, (gsize) (end - start) };

  if (end > start)
    g_array_append_val (spans, span);
}

/* Where the entropy-coded data that starts at @at ends: the offset of the
 * next marker that is neither a restart marker nor a stuffed 0xff, or
 * @len when there is none. */
static gsize
entropy_end (const guint8 *data,
             gsize         len,
             gsize         at)
{
  while (at < len)
    {
      const guint8 *ff = memchr (data + at, 0xff, len - at);
      gsize code_at;
      guint8 code;

      if (ff == NULL)
        return len;
      code_at = (gsize) (ff - data) + 1;
      /* Fill bytes: the marker is the last 0xff of a run. */
      while (code_at < len && data[code_at] == 0xff)
        code_at++;
      if (code_at >= len)
        return len;
      code = data[code_at];
      if (code == 0x00 || (code >= 0xd0 && code <= 0xd7))
        {
          at = code_at + 1;
          continue;
        }
      return code_at - 1;
    }
  return len;
}

/* TRUE when the scan whose header (after its length) is @header, @n
 * bytes, only refines AC coefficients of components that are decoded at
 * 1/8 scale, whose IDCT reads the DC coefficient alone. */
static gboolean
scan_is_unneeded (j_decompress_ptr  cinfo,
                  const guint8     *header,
                  gsize             n)
{
  guint components;

  if (n < 1)
    return FALSE;
  components = header[0];
  if (components == 0 || n < 1 + 2 * (gsize) components + 3)
    return FALSE;
  /* Ss, the first coefficient: 0 for a DC scan, which every scale needs. */
  if (header[1 + 2 * components] == 0)
    return FALSE;
  for (guint i = 0; i < components; i++)
    {
      guint8 id = header[1 + 2 * i];
      gboolean dc_only = FALSE;
      gboolean found = FALSE;

      for (int ci = 0; ci < cinfo->num_components && !found; ci++)
        {
          const jpeg_component_info *comp = &cinfo->comp_info[ci];

          if (comp->component_id != id)
            continue;
          found = TRUE;
#if JPEG_LIB_VERSION >= 70
          dc_only = comp->DCT_h_scaled_size == 1 && comp->DCT_v_scaled_size == 1;
#else
          dc_only = comp->DCT_scaled_size == 1;
#endif
        }
      if (!dc_only)
        return FALSE;
    }
  return TRUE;
}

/* The spans of @data from @at (where libjpeg stands, inside the first
 * scan's entropy-coded data) to the end, less the unneeded scans. Where
 * the structure is not what the standard says, the rest is kept whole for
 * libjpeg to judge. */
static GArray *
plan_spans (j_decompress_ptr   cinfo,
            const guint8      *data,
            gsize              len,
            gsize              at,
            FyJpegDecodeStats *stats)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));
  gsize kept_from = at;

  stats->scans = 1;
  at = entropy_end (data, len, at);
  while (at + 4 <= len && data[at] == 0xff)
    {
      guint8 code = data[at + 1];
      gsize segment;

      if (code == 0xff)
        {
          at++;
          continue;
        }
      if (code == JPEG_MARKER_EOI)
        break;
      if (code == JPEG_MARKER_SOI || code == JPEG_MARKER_TEM || (code >= 0xd0 && code <= 0xd7))
        {
          at += 2;
          continue;
        }
      segment = (gsize) data[at + 2] << 8 | data[at + 3];
      if (segment < 2 || segment > len - at - 2)
        break;
      if (code != JPEG_MARKER_SOS)
        {
          at += 2 + segment;
          continue;
        }

      {
        gsize end = entropy_end (data, len, at + 2 + segment);

        stats->scans++;
        if (scan_is_unneeded (cinfo, data + at + 4, segment - 2))
          {
            add_span (spans, data + kept_from, data + at);
            stats->scans_skipped++;
            stats->bytes_skipped += end - at;
            kept_from = end;
          }
        at = end;
      }
    }
  add_span (spans, data + kept_from, data + len);
  return spans;
}

typedef struct
{
  struct jpeg_decompress_struct cinfo;
  ErrorJump                     err;
  SpanSource                    src;
  GdkPixbuf                    *pixbuf;
  /* Counted here, not through the caller's pointer, so that nothing the
   * error path after setjmp () might see lives in a clobbered register. */
  FyJpegDecodeStats             stats;
} Decode;

static void
decode_free (Decode *d)
{
  jpeg_destroy_decompress (&d->cinfo);
  g_clear_pointer (&d->src.spans, g_array_unref);
  g_clear_object (&d->pixbuf);
  g_free (d);
}

FyJpegDecodeStatus
fy_jpeg_decode (const guint8       *data,
                gsize               len,
                FyJpegScaleFunc     scale_func,
                gpointer            user_data,
                GdkPixbuf         **out_pixbuf,
                FyJpegDecodeStats  *stats,
                GError            **error)
{
  Decode *d = g_new0 (Decode, 1);
  FyJpegDecodeStatus status = FY_JPEG_DECODE_FAILED;
  j_decompress_ptr cinfo = &d->cinfo;
  Span whole = { data, len };
  int denominator = 1;
  int orientation;
  guint8 *pixels;
  int rowstride;

  *out_pixbuf = NULL;
  if (stats != NULL)
    memset (stats, 0, sizeof *stats);

  cinfo->err = jpeg_std_error (&d->err.pub);
  d->err.pub.error_exit = error_jump_exit;
  d->err.pub.output_message = error_jump_output;
  if (setjmp (d->err.jump))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                   "JPEG data: %s", d->err.message);
      decode_free (d);
      return FY_JPEG_DECODE_FAILED;
    }

  jpeg_create_decompress (cinfo);
  d->src.spans = g_array_new (FALSE, FALSE, sizeof (Span));
  g_array_append_val (d->src.spans, whole);
  d->src.pub.init_source = span_source_init;
  d->src.pub.fill_input_buffer = span_source_fill;
  d->src.pub.skip_input_data = span_source_skip;
  d->src.pub.resync_to_restart = jpeg_resync_to_restart;
  d->src.pub.term_source = span_source_term;
  cinfo->src = &d->src.pub;

  jpeg_read_header (cinfo, TRUE);

  if (cinfo->jpeg_color_space != JCS_GRAYSCALE && cinfo->jpeg_color_space != JCS_YCbCr &&
      cinfo->jpeg_color_space != JCS_RGB)
    {
      decode_free (d);
      return FY_JPEG_DECODE_UNSUPPORTED;
    }
  if (!scale_func ((int) cinfo->image_width, (int) cinfo->image_height, &denominator, user_data))
    {
      decode_free (d);
      return FY_JPEG_DECODE_REFUSED;
    }
  if (denominator != 1 && denominator != 2 && denominator != 4 && denominator != 8)
    denominator = 1;

  cinfo->out_color_space = JCS_RGB;
  cinfo->scale_num = 1;
  cinfo->scale_denom = (unsigned int) denominator;
  /* Smoothing guesses the AC coefficients of blocks whose scans have not
   * arrived yet (and, with none at all, adjusts DC as well); with every
   * scan read it changes nothing, and with scans left out here it must
   * not guess at them. */
  cinfo->do_block_smoothing = FALSE;
  jpeg_calc_output_dimensions (cinfo);

  if (cinfo->progressive_mode &&
      d->src.pub.next_input_byte >= data && d->src.pub.next_input_byte <= data + len)
    {
      gsize at = (gsize) (d->src.pub.next_input_byte - data);

      g_array_unref (d->src.spans);
      d->src.spans = plan_spans (cinfo, data, len, at, &d->stats);
      d->src.next = 0;
      d->src.pub.bytes_in_buffer = 0;
    }

  jpeg_start_decompress (cinfo);

  d->pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                              (int) cinfo->output_width, (int) cinfo->output_height);
  if (d->pixbuf == NULL)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                   "not enough memory for a %u×%u picture",
                   cinfo->output_width, cinfo->output_height);
      decode_free (d);
      return FY_JPEG_DECODE_FAILED;
    }
  pixels = gdk_pixbuf_get_pixels (d->pixbuf);
  rowstride = gdk_pixbuf_get_rowstride (d->pixbuf);

  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW rows[16];
      guint n = MIN ((guint) cinfo->rec_outbuf_height, G_N_ELEMENTS (rows));
      JDIMENSION got;

      n = MIN (n, cinfo->output_height - cinfo->output_scanline);
      for (guint i = 0; i < n; i++)
        rows[i] = pixels + (gsize) (cinfo->output_scanline + i) * (gsize) rowstride;
      got = jpeg_read_scanlines (cinfo, rows, n);
      if (got == 0)
        {
          /* The source never suspends, so this does not happen. */
          g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                               "JPEG data: the decoder stopped early");
          decode_free (d);
          return FY_JPEG_DECODE_FAILED;
        }
    }

  orientation = fy_jpeg_exif_orientation (data, len);
  if (orientation != 0)
    {
      char text[4];

      g_snprintf (text, sizeof text, "%d", orientation);
      gdk_pixbuf_set_option (d->pixbuf, "orientation", text);
    }

  /* Whatever follows the last row (the rest of a sequential file up to
   * its end marker) is not read: the caller checks that marker. */
  *out_pixbuf = g_steal_pointer (&d->pixbuf);
  status = FY_JPEG_DECODE_DONE;
  if (stats != NULL)
    *stats = d->stats;
  decode_free (d);
  return status;
}
