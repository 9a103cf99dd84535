/* fy-renderer-choice.c: cairo drawing where OpenGL is only emulated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 draws with OpenGL whenever it gets a context, even one that
 * Mesa rasterises on the CPU (llvmpipe, softpipe): on a machine without a
 * GPU driver, in a virtual machine or on Xvfb, every frame then costs tens
 * of milliseconds of the very cores Forkyard's workers are measured on —
 * several times what GTK's cairo renderer needs for the same frame. GTK
 * reads GSK_RENDERER once, when the first window is realized, so before
 * that, and only if the user has not chosen a renderer, ask a GL context
 * who would draw.
 */

#include "config.h"

#include <string.h>

#include <epoxy/gl.h>

#include "fy-renderer-choice.h"

/* Names Mesa gives its CPU rasterisers in GL_RENDERER. */
static const char * const software_renderers[] = {
  "llvmpipe", "softpipe", "swrast", "Software Rasterizer",
};

gboolean
fy_renderer_name_is_software (const char *gl_renderer)
{
  if (gl_renderer == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (software_renderers); i++)
    if (strstr (gl_renderer, software_renderers[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Returns TRUE when it set GSK_RENDERER to cairo. */
gboolean
fy_renderer_choice_apply (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *renderer = NULL;

  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);

  if (g_getenv ("GSK_RENDERER") != NULL)
    return FALSE;

  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      /* GTK falls back to cairo by itself then. */
      g_debug ("No GL context to ask: %s", error != NULL ? error->message : "none");
      return FALSE;
    }
  gdk_gl_context_make_current (context);
  renderer = g_strdup ((const char *) glGetString (GL_RENDERER));
  gdk_gl_context_clear_current ();

  if (!fy_renderer_name_is_software (renderer))
    return FALSE;
  g_debug ("OpenGL is drawn by %s, on the CPU: drawing with cairo", renderer);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return TRUE;
}
