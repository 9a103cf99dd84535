/* test-renderer-choice.c: which GL renderers count as drawing on the CPU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "app/fy-renderer-choice.h"

static void
test_software_names (void)
{
  /* GL_RENDERER strings as Mesa reports them. */
  g_assert_true (fy_renderer_name_is_software ("llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (fy_renderer_name_is_software ("softpipe"));
  g_assert_true (fy_renderer_name_is_software ("Mesa X11 swrast"));
  g_assert_true (fy_renderer_name_is_software ("Software Rasterizer"));
  g_assert_false (fy_renderer_name_is_software ("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
  g_assert_false (fy_renderer_name_is_software ("AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49, 6.1.0-13-amd64)"));
  g_assert_false (fy_renderer_name_is_software ("NVIDIA GeForce GTX 1650/PCIe/SSE2"));
  g_assert_false (fy_renderer_name_is_software (""));
  g_assert_false (fy_renderer_name_is_software (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/renderer-choice/software-names", test_software_names);
  return g_test_run ();
}
