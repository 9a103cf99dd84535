/* fy-workloads-resize.c: resize, an image into a thumbnail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pipeline: sniff the format, decode (a JPEG at the smallest DCT scale
 * that still covers the target both ways, so the one resampling left is a
 * downscale by less than two, in one pass that reads only the scans that
 * scale needs, fy-jpeg-decode.h; a non-interlaced PNG row by row straight
 * into the averaging down that precedes the resampling, fy-png-reduce.h),
 * turn the picture upright from its EXIF orientation, resample to the box
 * with Lanczos-3 (fy-resample.h) (fitted after the rotation with keep
 * aspect), encode in the input's format (PNG, or JPEG for an opaque
 * photograph, when gdk-pixbuf cannot write that format) and write it
 * atomically: a temporary file in the output directory, renamed over the
 * final name only once complete. A failed write leaves no partial file and
 * never truncates an older thumbnail of that name.
 *
 * Decoding untrusted files happens in a fresh thread confined by Landlock
 * to reading the input and system files and writing the output directory.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fy-file-read.h"
#include "fy-image-scan.h"
#include "fy-jpeg-decode.h"
#include "fy-png-encode.h"
#include "fy-png-reduce.h"
#include "fy-resample.h"
#include "fy-sandbox.h"
#include "fy-seccomp.h"
#include "fy-workload.h"
#include "fy-workload-error.h"

/* Pixel bombs: a tiny file can claim a huge canvas; refuse before the
 * decoder allocates it. */
#define RESIZE_MAX_PIXELS       (50 * 1000 * 1000)
#define RESIZE_MAX_SIDE         65535
#define RESIZE_MAX_OUTPUT_SIDE  16384
#define RESIZE_MAX_FILE_SIZE    (512 * 1024 * 1024)
#define RESIZE_READ_BLOCK       (64 * 1024)
#define RESIZE_ADDRESS_SPACE    (G_GUINT64_CONSTANT (4) << 30)
#define RESIZE_CPU_SECONDS      60
#define RESIZE_TEMP_ATTEMPTS    16

typedef struct
{
  /* In */
  int          in_fd;
  int          out_dir_fd;
  const char  *in_path;
  const char  *out_dir;
  const char  *in_name;
  int          width;
  int          height;
  gboolean     keep_aspect;
  gint64       in_size;
  /* Found while decoding */
  const char  *type;            /* sniffed loader name, or NULL */
  int          exif_orientation; /* from the JPEG's first bytes, 0 if none */
  int          claimed_width;
  int          claimed_height;
  gboolean     too_large;
  /* Out */
  char        *out_name;        /* the file really written */
  int          out_width;
  int          out_height;
  GError      *error;
} ResizeJob;

/* Orientations 5 to 8 swap width and height. */
static gboolean
orientation_transposes (int orientation)
{
  return orientation >= 5 && orientation <= 8;
}

/* The size of the thumbnail of an upright picture of @width × @height. */
static void
fit_box (const ResizeJob *job,
         int              width,
         int              height,
         int             *out_width,
         int             *out_height)
{
  if (job->keep_aspect)
    {
      double scale = MIN ((double) job->width / width, (double) job->height / height);

      *out_width = CLAMP ((int) (width * scale + 0.5), 1, job->width);
      *out_height = CLAMP ((int) (height * scale + 0.5), 1, job->height);
    }
  else
    {
      *out_width = job->width;
      *out_height = job->height;
    }
}

/* Records the size the file claims; FALSE for a pixel bomb, which must
 * be refused before the decoder allocates its canvas. */
static gboolean
claim_size (ResizeJob *job,
            int        width,
            int        height)
{
  job->claimed_width = width;
  job->claimed_height = height;
  if (width <= 0 || height <= 0 || width > RESIZE_MAX_SIDE || height > RESIZE_MAX_SIDE ||
      (gint64) width * height > RESIZE_MAX_PIXELS)
    {
      job->too_large = TRUE;
      return FALSE;
    }
  return TRUE;
}

/* Shrink-on-load: libjpeg decodes at 1/2, 1/4 or 1/8 scale for much less
 * work. The smallest scale still at least the target both ways: then the
 * final resampling only ever shrinks, by less than two, which keeps the
 * fine detail a shrink from a smaller scale would have to invent. */
static int
jpeg_denominator (const ResizeJob *job,
                  int              width,
                  int              height)
{
  gboolean transposed = orientation_transposes (job->exif_orientation);
  int target_width;
  int target_height;
  int denominator = 8;

  /* The box applies to the upright picture; in the file's own orientation
   * its sides are swapped for orientations 5 to 8. */
  fit_box (job, transposed ? height : width, transposed ? width : height,
           &target_width, &target_height);
  if (transposed)
    {
      int swap = target_width;

      target_width = target_height;
      target_height = swap;
    }

  while (denominator > 1 &&
         ((width + denominator - 1) / denominator < target_width ||
          (height + denominator - 1) / denominator < target_height))
    denominator /= 2;
  return denominator;
}

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  ResizeJob *job = user_data;
  int denominator;

  if (!claim_size (job, width, height))
    {
      /* A zero size makes every gdk-pixbuf loader stop before it
       * allocates the canvas. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  /* Other formats decode in full: their loaders would only scale after
   * decoding, with the same resampling done later here. */
  if (g_strcmp0 (job->type, "jpeg") != 0)
    return;

  denominator = jpeg_denominator (job, width, height);
  gdk_pixbuf_loader_set_size (loader, (width + denominator - 1) / denominator,
                              (height + denominator - 1) / denominator);
}

/* The JPEG path's size check and scale (FyJpegScaleFunc). */
static gboolean
jpeg_scale_cb (int       width,
               int       height,
               int      *denominator,
               gpointer  user_data)
{
  ResizeJob *job = user_data;

  if (!claim_size (job, width, height))
    return FALSE;
  *denominator = jpeg_denominator (job, width, height);
  return TRUE;
}

/* The PNG path's size check, as size_prepared_cb () checks every other
 * format's: a PNG has no orientation for gdk-pixbuf, so the box fits the
 * picture as it is stored. */
static gboolean
png_size_cb (int       width,
             int       height,
             int      *out_width,
             int      *out_height,
             gpointer  user_data)
{
  ResizeJob *job = user_data;

  if (!claim_size (job, width, height))
    return FALSE;
  fit_box (job, width, height, out_width, out_height);
  return TRUE;
}

/* gdk-pixbuf's description of the format it names @name. */
static GdkPixbufFormat *
find_format (const char *name)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *format_name = gdk_pixbuf_format_get_name (l->data);

      if (g_strcmp0 (format_name, name) == 0)
        return l->data;
    }
  return NULL;
}

/* What to write a picture decoded from @format_name as: the same format
 * where gdk-pixbuf can write it, otherwise PNG for pictures with alpha or
 * drawn ones (GIF), JPEG for opaque photographs (HEIF, AVIF …). With
 * FY_RESIZE_LOSSLESS=1 in the environment, always PNG. */
static const char *
output_format (GdkPixbufFormat *format,
               const char      *format_name,
               GdkPixbuf       *pixbuf)
{
  static const char *const keep[] = { "jpeg", "png", "tiff", "bmp", "webp", NULL };

  /* For measurements: the resampled picture itself, without an encoder's
   * loss (bench/bench_workloads.py compares its sharpness with Pillow's). */
  if (g_strcmp0 (g_getenv ("FY_RESIZE_LOSSLESS"), "1") == 0)
    return "png";
  if (format != NULL && gdk_pixbuf_format_is_writable (format) &&
      g_strv_contains (keep, format_name))
    return format_name;
  if (gdk_pixbuf_get_has_alpha (pixbuf) || g_strcmp0 (format_name, "gif") == 0 ||
      g_strcmp0 (format_name, "ico") == 0)
    return "png";
  return "jpeg";
}

/* @in_name, with the new format's extension added when the format
 * changed ("anim.gif.png"): replacing the old one would make "a.heic" and
 * "a.avif" overwrite each other's thumbnail. */
static char *
output_name (const char *in_name,
             const char *in_format,
             const char *out_format)
{
  if (g_strcmp0 (in_format, out_format) == 0)
    return g_strdup (in_name);
  return g_strconcat (in_name, g_str_equal (out_format, "jpeg") ? ".jpg" : ".png", NULL);
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        len,
           GError     **error)
{
  gsize written = 0;

  while (written < len)
    {
      ssize_t n = write (fd, data + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          fy_file_set_error_from_errno (error, errno, "cannot write the output file");
          return FALSE;
        }
      written += (gsize) n;
    }
  return TRUE;
}

/* Writes @data as @name in @dir_fd, all or nothing: into a new temporary
 * file beside it, renamed over @name once closed without error. A failure
 * at any step removes the temporary file; an existing @name is untouched
 * until the rename replaces it whole. A worker killed mid-write leaves at
 * most a hidden ".NAME.XXXXXX.part" file, never a short @name. */
static gboolean
write_atomically (int          dir_fd,
                  const char  *name,
                  const char  *data,
                  gsize        len,
                  GError     **error)
{
  g_autofree char *temp_name = NULL;
  int fd = -1;

  for (guint attempt = 0; attempt < RESIZE_TEMP_ATTEMPTS && fd < 0; attempt++)
    {
      g_free (temp_name);
      temp_name = g_strdup_printf (".%s.%06x.part", name, g_random_int_range (0, 0xffffff));
      /* O_EXCL with O_CREAT never follows a link: a planted symbolic link
       * cannot redirect the write. */
      fd = openat (dir_fd, temp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        {
          fy_file_set_error_from_errno (error, errno, "cannot create the output file");
          return FALSE;
        }
    }
  if (fd < 0)
    {
      fy_file_set_error_from_errno (error, EEXIST, "cannot create the output file");
      return FALSE;
    }

  if (!write_all (fd, data, len, error))
    {
      close (fd);
      unlinkat (dir_fd, temp_name, 0);
      return FALSE;
    }
  if (close (fd) != 0)
    {
      fy_file_set_error_from_errno (error, errno, "cannot write the output file");
      unlinkat (dir_fd, temp_name, 0);
      return FALSE;
    }
  if (renameat (dir_fd, temp_name, dir_fd, name) != 0)
    {
      fy_file_set_error_from_errno (error, errno, "cannot put the output file in place");
      unlinkat (dir_fd, temp_name, 0);
      return FALSE;
    }
  return TRUE;
}

static gboolean
resize_decode_and_write (ResizeJob  *job,
                         GError    **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(FyPngReduce) png_reduce = NULL;
  g_autoptr(GdkPixbuf) reduced = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GByteArray) jpeg_data = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guchar *block = NULL;
  g_autofree char *encoded = NULL;
  GdkPixbufFormat *format;
  g_autofree char *format_name = NULL;
  const char *out_format;
  GdkPixbuf *pixbuf;
  struct stat st = { 0 };
  struct stat out_st;
  const char *write_dirs[] = { job->out_dir, NULL };
  const char *read_paths[] = { job->in_path, NULL };
  const char *formats[] = { NULL, "jpeg", NULL };
  guchar head[16];
  ssize_t head_len;
  gsize encoded_len = 0;
  guint64 total = 0;
  FyJpegEndScan jpeg_scan = { 0 };
  FyPngEndScan png_scan = { 0 };
  FyGifFrameScan gif_scan = { 0 };
  gboolean is_jpeg = FALSE;
  gboolean is_png = FALSE;
  gboolean is_gif = FALSE;
  gboolean loader_ok = TRUE;
  gboolean started = FALSE;
  gboolean enforced = FALSE;
  int upright_width;
  int upright_height;
  gboolean saved;

  /* From here on this thread can read only its input (and system files)
   * and write only into the output directory. */
  if (!fy_sandbox_restrict_thread (read_paths, write_dirs, &enforced, error))
    return FALSE;
  /* The first bytes name the format, and with it the only gdk-pixbuf
   * module the file can need besides JPEG's (CMYK photographs, and the
   * thumbnails of formats gdk-pixbuf cannot write), built in like PNG's.
   * An unknown format may be any loader's: all are loaded. */
  head_len = pread (job->in_fd, head, sizeof head, 0);
  job->type = head_len > 0 ? fy_image_sniff_type (head, (gsize) head_len) : NULL;
  formats[0] = job->type;
  /* And it can make only the system calls decoding needs: no socket, no
   * program, no file opened but its one output, nothing signalled but
   * itself (fy-seccomp.h). */
  if (!fy_seccomp_restrict_thread (job->in_fd, job->out_dir_fd,
                                   job->type != NULL ? formats : NULL, NULL, error))
    return FALSE;

  is_jpeg = g_strcmp0 (job->type, "jpeg") == 0;
  is_png = g_strcmp0 (job->type, "png") == 0;
  is_gif = g_strcmp0 (job->type, "gif") == 0;
  /* A JPEG is decoded once whole (fy-jpeg-decode.h): read straight into
   * its buffer, with room for the read that finds the end; other formats
   * go to their decoder block by block. */
  if (is_jpeg)
    jpeg_data = g_byte_array_sized_new ((guint) job->in_size + RESIZE_READ_BLOCK);
  else
    block = g_malloc (RESIZE_READ_BLOCK);

  for (;;)
    {
      guchar *data = block;
      ssize_t n;

      if (jpeg_data != NULL)
        {
          guint len = jpeg_data->len;

          g_byte_array_set_size (jpeg_data, len + RESIZE_READ_BLOCK);
          data = jpeg_data->data + len;
          n = fy_file_read_retrying (job->in_fd, data, RESIZE_READ_BLOCK);
          g_byte_array_set_size (jpeg_data, len + (guint) MAX (n, 0));
          /* A file that grows while it is read must not grow this
           * without end. */
          if (jpeg_data->len > RESIZE_MAX_FILE_SIZE)
            {
              g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                           "file grew above the limit of %d MiB while being read",
                           RESIZE_MAX_FILE_SIZE >> 20);
              return FALSE;
            }
        }
      else
        n = fy_file_read_retrying (job->in_fd, block, RESIZE_READ_BLOCK);

      if (n < 0)
        {
          fy_file_set_error_from_errno (error, errno, NULL);
          if (loader != NULL)
            gdk_pixbuf_loader_close (loader, NULL);
          return FALSE;
        }
      if (n == 0)
        break;
      if (!started)
        {
          started = TRUE;
          if (is_jpeg)
            job->exif_orientation = fy_jpeg_exif_orientation (data, (gsize) n);
          if (is_png && fy_png_reduce_can_decode (data, (gsize) n))
            png_reduce = fy_png_reduce_new (png_size_cb, job);
          else if (!is_jpeg)
            {
              loader = job->type ? gdk_pixbuf_loader_new_with_type (job->type, NULL) : NULL;
              if (loader == NULL)
                loader = gdk_pixbuf_loader_new ();
              g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), job);
            }
        }
      total += (guint64) n;
      if (is_jpeg)
        fy_jpeg_end_scan_feed (&jpeg_scan, data, (gsize) n);
      if (is_png)
        fy_png_end_scan_feed (&png_scan, block, (gsize) n);
      if (is_gif)
        {
          /* Before the loader sees the frame (see FyGifFrameScan). */
          fy_gif_frame_scan_feed (&gif_scan, block, (gsize) n);
          if (gif_scan.empty_frame)
            {
              loader_ok = FALSE;
              break;
            }
        }
      if (jpeg_data != NULL)
        continue;
      if (png_reduce != NULL
          ? !fy_png_reduce_feed (png_reduce, block, (gsize) n, &local_error)
          : !gdk_pixbuf_loader_write (loader, block, (gsize) n, &local_error))
        {
          loader_ok = FALSE;
          break;
        }
    }

  if (jpeg_data != NULL)
    {
      FyJpegDecodeStatus status = fy_jpeg_decode (jpeg_data->data, jpeg_data->len,
                                                  jpeg_scale_cb, job, &decoded, NULL,
                                                  &local_error);

      if (status == FY_JPEG_DECODE_UNSUPPORTED)
        {
          /* CMYK and YCCK: gdk-pixbuf's loader turns them into RGB. */
          loader = gdk_pixbuf_loader_new_with_type ("jpeg", NULL);
          if (loader == NULL)
            loader = gdk_pixbuf_loader_new ();
          g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), job);
          loader_ok = gdk_pixbuf_loader_write (loader, jpeg_data->data, jpeg_data->len,
                                               &local_error);
        }
      else
        loader_ok = status == FY_JPEG_DECODE_DONE;
    }

  if (!started)
    {
      /* The file was emptied after the open. */
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CHANGED,
                           "file was truncated while being read");
      return FALSE;
    }
  if (loader != NULL && loader_ok)
    loader_ok = gdk_pixbuf_loader_close (loader, &local_error);
  else if (loader != NULL)
    gdk_pixbuf_loader_close (loader, NULL);

  if (gif_scan.empty_frame)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                   "corrupt GIF: frame %u is %u×%u pixels, with no pixels to decode",
                   gif_scan.frames, gif_scan.empty_width, gif_scan.empty_height);
      return FALSE;
    }

  if (job->too_large && (job->claimed_width <= 0 || job->claimed_height <= 0))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                   "corrupt image: it claims %d×%d pixels; not decoded",
                   job->claimed_width, job->claimed_height);
      return FALSE;
    }
  if (job->too_large)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                   "image claims %d×%d pixels, above the limit of %d megapixels; not decoded",
                   job->claimed_width, job->claimed_height, RESIZE_MAX_PIXELS / 1000000);
      return FALSE;
    }

  st.st_size = job->in_size;
  if (!fy_file_check_not_truncated (job->in_fd, &st, total, error))
    return FALSE;

  if (loader_ok && is_jpeg && !jpeg_scan.seen_end)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "truncated JPEG: the data stops before the end-of-image marker");
      return FALSE;
    }

  if (loader_ok && is_png && !png_scan.seen_end)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "truncated PNG: the data stops before the IEND chunk");
      return FALSE;
    }

  if (png_reduce != NULL)
    pixbuf = reduced = loader_ok ? fy_png_reduce_finish (png_reduce, &local_error) : NULL;
  else if (loader != NULL)
    pixbuf = loader_ok ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  else
    pixbuf = loader_ok ? decoded : NULL;
  if (pixbuf == NULL)
    {
      if (local_error != NULL &&
          g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                             "not an image in a format this system can read");
      else
        g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                     "corrupt or truncated image: %s",
                     local_error ? local_error->message : "the decoder produced no picture");
      return FALSE;
    }

  format = loader != NULL ? gdk_pixbuf_loader_get_format (loader)
                          : find_format (is_jpeg ? "jpeg" : "png");
  format_name = format ? gdk_pixbuf_format_get_name (format) : NULL;

  /* Upright first: the box is fitted to the picture as it is seen. The
   * loader's own reading of the orientation decides, whatever the early
   * look at the JPEG's first bytes guessed. */
  upright = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (upright == NULL)
    upright = g_object_ref (pixbuf);
  {
    const char *text = gdk_pixbuf_get_option (pixbuf, "orientation");
    int orientation = text ? atoi (text) : 1;
    gboolean transposed = orientation_transposes (orientation);

    upright_width = transposed ? job->claimed_height : job->claimed_width;
    upright_height = transposed ? job->claimed_width : job->claimed_height;
    if (upright_width <= 0 || upright_height <= 0)
      {
        upright_width = gdk_pixbuf_get_width (upright);
        upright_height = gdk_pixbuf_get_height (upright);
      }
  }
  fit_box (job, upright_width, upright_height, &job->out_width, &job->out_height);

  pixbuf = upright;
  if (gdk_pixbuf_get_width (pixbuf) != job->out_width ||
      gdk_pixbuf_get_height (pixbuf) != job->out_height)
    {
      scaled = fy_resample_lanczos (pixbuf, job->out_width, job->out_height);
      if (scaled == NULL)
        {
          g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                               "not enough memory to resample the image");
          return FALSE;
        }
      pixbuf = scaled;
    }

  out_format = output_format (format, format_name, pixbuf);
  job->out_name = output_name (job->in_name, format_name, out_format);

  /* The output must not replace the input, under its own name or a new one. */
  if (fstatat (job->out_dir_fd, job->out_name, &out_st, AT_SYMLINK_NOFOLLOW) == 0 &&
      fstat (job->in_fd, &st) == 0 &&
      out_st.st_dev == st.st_dev && out_st.st_ino == st.st_ino)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "the output would overwrite the input; choose another output directory");
      return FALSE;
    }

  /* PNG with libdeflate (fy-png-encode.h). JPEG at quality 90: at 75
   * (Pillow's default) the encoding itself costs a thumbnail's fine detail
   * 3–4 dB. Other formats keep their defaults. */
  if (g_str_equal (out_format, "png"))
    {
      encoded = (char *) fy_png_encode (pixbuf, &encoded_len);
      saved = encoded != NULL;
      if (!saved)
        g_set_error_literal (&local_error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                             "not enough memory");
    }
  else if (g_str_equal (out_format, "jpeg"))
    saved = gdk_pixbuf_save_to_buffer (pixbuf, &encoded, &encoded_len, out_format,
                                       &local_error, "quality", "90", NULL);
  else
    saved = gdk_pixbuf_save_to_buffer (pixbuf, &encoded, &encoded_len, out_format,
                                       &local_error, NULL);
  if (!saved)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                   "cannot encode the %s image: %s", out_format, local_error->message);
      return FALSE;
    }

  return write_atomically (job->out_dir_fd, job->out_name, encoded, encoded_len, error);
}

static gpointer
resize_thread (gpointer data)
{
  ResizeJob *job = data;

  resize_decode_and_write (job, &job->error);
  return NULL;
}

static GVariant *
fy_workload_resize (GVariant           *argument,
                    FyWorkloadContext  *context,
                    GError            **error)
{
  g_autofree char *in_path = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *in_name = NULL;
  g_autofree char *out_path = NULL;
  g_autoptr(GThread) thread = NULL;
  ResizeJob job = { .in_fd = -1, .out_dir_fd = -1 };
  struct stat in_st;
  int width;
  int height;
  gboolean keep_aspect;
  GVariant *result = NULL;

  g_variant_get (argument, "(^ay^ayiib)", &in_path, &out_dir, &width, &height, &keep_aspect);

  if (width <= 0 || height <= 0 || width > RESIZE_MAX_OUTPUT_SIDE || height > RESIZE_MAX_OUTPUT_SIDE)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "size %d×%d is outside 1×1 to %d×%d", width, height,
                   RESIZE_MAX_OUTPUT_SIDE, RESIZE_MAX_OUTPUT_SIDE);
      return NULL;
    }
  if (in_path[0] == '\0' || out_dir[0] == '\0')
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "empty input or output path");
      return NULL;
    }

  if (!fy_sandbox_limit_process (RESIZE_ADDRESS_SPACE, RESIZE_CPU_SECONDS, error))
    return NULL;
  /* A write past RLIMIT_FSIZE must fail with EFBIG, which is reported and
   * cleaned up, instead of killing the worker with its file half written. */
  signal (SIGXFSZ, SIG_IGN);

  job.in_fd = fy_file_open_regular (in_path, &in_st, error);
  if (job.in_fd < 0)
    return NULL;

  if (in_st.st_size == 0)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "empty file (zero bytes), not an image");
      goto out;
    }
  if (in_st.st_size > RESIZE_MAX_FILE_SIZE)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                   "file of %" G_GINT64_FORMAT " bytes is above the limit of %d MiB",
                   (gint64) in_st.st_size, RESIZE_MAX_FILE_SIZE >> 20);
      goto out;
    }

  job.out_dir_fd = open (out_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (job.out_dir_fd < 0)
    {
      fy_file_set_error_from_errno (error, errno, "cannot open the output directory");
      goto out;
    }

  in_name = g_path_get_basename (in_path);
  job.in_path = in_path;
  job.out_dir = out_dir;
  job.in_name = in_name;
  job.width = width;
  job.height = height;
  job.keep_aspect = keep_aspect;
  job.in_size = in_st.st_size;

  /* Landlock confines a thread for the rest of its life, so each image gets
   * a fresh thread and the worker itself stays free for the next task. */
  thread = g_thread_try_new ("fy-resize", resize_thread, &job, error);
  if (thread == NULL)
    goto out;
  g_thread_join (g_steal_pointer (&thread));

  if (job.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job.error));
      goto out;
    }

  out_path = g_build_filename (out_dir, job.out_name, NULL);
  result = g_variant_new ("(^ayii)", out_path, job.out_width, job.out_height);

out:
  g_free (job.out_name);
  if (job.out_dir_fd >= 0)
    close (job.out_dir_fd);
  close (job.in_fd);
  return result;
}

const FyWorkloadInfo fy_workloads_images[] = {
  { "resize", "(ayayiib)", "(ayii)", fy_workload_resize,
    "Resizes an image into a directory, upright, in its own format where "
    "it can be written (PNG or JPEG otherwise): "
    "(input path, output dir, width, height, keep aspect) (ayayiib) → "
    "(path written, width, height) (ayii)" },
  { NULL },
};
