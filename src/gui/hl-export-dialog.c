/* hl-export-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>

#include "hl-dialogs.h"
#include "hl-export-dialog.h"
#include "hl-plot-text.h"
#include "hl-session-figures.h"

#define POINTS_PER_INCH 72.0
#define CM_PER_INCH     2.54
/* Room around the page in the preview, in pixels. */
#define PREVIEW_MARGIN  24.0

typedef enum
{
  UNIT_INCHES,
  UNIT_CENTIMETRES,
} Unit;

typedef enum
{
  PRESET_SINGLE,
  PRESET_DOUBLE,
  PRESET_SLIDE,
  PRESET_CUSTOM,
} Preset;

/* A preset fixes the width a journal or a slide asks for; the height is
 * the user's (it starts at the preset's). */
static const struct
{
  double width;
  double height;
} presets[] = {
  [PRESET_SINGLE] = { 3.5, 2.5 },
  [PRESET_DOUBLE] = { 7.0, 2.5 },
  [PRESET_SLIDE] = { 10.0, 5.6 },
};

struct _HlExportDialog
{
  AdwWindow          parent_instance;

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkDrawingArea    *preview;
  AdwPreferencesGroup *figure_group;
  AdwComboRow       *figure_row;
  GtkStringList     *figure_list;
  AdwComboRow       *format_row;
  AdwActionRow      *dpi_row;
  GtkSpinButton     *dpi_spin;
  AdwActionRow      *transparent_row;
  GtkSwitch         *transparent_switch;
  AdwComboRow       *preset_row;
  AdwComboRow       *unit_row;
  GtkSpinButton     *width_spin;
  GtkSpinButton     *height_spin;
  GtkAdjustment     *width_adjustment;
  GtkAdjustment     *height_adjustment;
  AdwComboRow       *style_row;
  GtkStringList     *style_list;
  GtkSpinButton     *font_spin;
  GtkFontButton     *font_button;

  GSettings         *settings;       /* owned: the font is remembered */
  HlSession         *session;        /* owned: what the figures are drawn from, or NULL */
  GPtrArray         *provenances;    /* of HlProvenance, one per figure (NULL without session) */
  GPtrArray         *titles;         /* of char *, one per figure (NULL without session) */
  GPtrArray         *figures;        /* of HlFigure, owned */
  HlPlotStylePreset  current;        /* the screen's style when opened */
  double             width;          /* inches: the truth the spins show */
  double             height;
  gboolean           updating;       /* set while the code moves the widgets */
  gboolean           size_chosen;    /* the user set a size: keep it */
  graphene_rect_t    preview_rect;
  gboolean           preview_drawn;
};

G_DEFINE_FINAL_TYPE (HlExportDialog, hl_export_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static HlFigure *
selected_figure (HlExportDialog *self)
{
  guint index = adw_combo_row_get_selected (self->figure_row);

  if (index >= self->figures->len)
    return NULL;

  return g_ptr_array_index (self->figures, index);
}

static HlPlotFormat
selected_format (HlExportDialog *self)
{
  return (HlPlotFormat) adw_combo_row_get_selected (self->format_row);
}

static const char *
format_extension (HlPlotFormat format)
{
  switch (format)
    {
    case HL_PLOT_FORMAT_PNG: return ".png";
    case HL_PLOT_FORMAT_SVG: return ".svg";
    case HL_PLOT_FORMAT_PDF: return ".pdf";
    default: g_assert_not_reached ();
    }
}

static double
unit_factor (HlExportDialog *self)
{
  return adw_combo_row_get_selected (self->unit_row) == UNIT_CENTIMETRES ? CM_PER_INCH : 1.0;
}

/* Options --------------------------------------------------------------- */

void
hl_export_dialog_get_options (HlExportDialog      *self,
                              HlPlotExportOptions *options)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (options != NULL);

  *options = (HlPlotExportOptions) { 0 };
  options->format = selected_format (self);
  options->width = self->width;
  options->height = self->height;
  options->dpi = gtk_spin_button_get_value (self->dpi_spin);
  options->transparent = options->format != HL_PLOT_FORMAT_PDF
                         && gtk_switch_get_active (self->transparent_switch);
}

static HlPlotStylePreset
selected_preset (HlExportDialog *self)
{
  return adw_combo_row_get_selected (self->style_row) == 1 ? self->current : HL_PLOT_STYLE_LIGHT;
}

HlPlotStyle *
hl_export_dialog_dup_style (HlExportDialog *self)
{
  HlPlotStyle *style;
  g_autofree char *family = NULL;

  g_return_val_if_fail (HL_IS_EXPORT_DIALOG (self), NULL);

  style = hl_plot_style_new (selected_preset (self), HL_PLOT_TARGET_EXPORT);
  family = hl_export_dialog_dup_font_family (self);
  hl_plot_style_set_font (style, family, gtk_spin_button_get_value (self->font_spin));

  return style;
}

char *
hl_export_dialog_dup_font_family (HlExportDialog *self)
{
  PangoFontDescription *font;
  char *family = NULL;

  g_return_val_if_fail (HL_IS_EXPORT_DIALOG (self), NULL);

  font = gtk_font_chooser_get_font_desc (GTK_FONT_CHOOSER (self->font_button));
  if (font != NULL && pango_font_description_get_family (font) != NULL)
    family = g_strdup (pango_font_description_get_family (font));
  g_clear_pointer (&font, pango_font_description_free);
  return family != NULL ? family : g_settings_get_string (self->settings, "export-font-family");
}

void
hl_export_dialog_set_font_family (HlExportDialog *self,
                                  const char     *family)
{
  PangoFontDescription *font;

  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (family != NULL);

  /* Not through a string: Pango would read "Roman" in "Latin Modern
   * Roman" as a style. */
  font = pango_font_description_new ();
  pango_font_description_set_family (font, family);
  pango_font_description_set_size (font, (int) (gtk_spin_button_get_value (self->font_spin) * PANGO_SCALE));
  gtk_font_chooser_set_font_desc (GTK_FONT_CHOOSER (self->font_button), font);
  pango_font_description_free (font);
}

/* The pixel size of a PNG, so the user sees what 300 DPI means. */
static void
hl_export_dialog_update_pixels (HlExportDialog *self)
{
  HlPlotExportOptions options;
  g_autofree char *subtitle = NULL;
  int width, height;

  hl_export_dialog_get_options (self, &options);
  hl_plot_export_png_size (&options, &width, &height);
  /* Translators: the pixel size of the PNG file, e.g. "1050 × 750 pixels" */
  subtitle = g_strdup_printf (_("%d × %d pixels"), width, height);
  adw_action_row_set_subtitle (self->dpi_row, subtitle);
}

static void
hl_export_dialog_changed (HlExportDialog *self)
{
  HlPlotFormat format = selected_format (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->dpi_row), format == HL_PLOT_FORMAT_PNG);
  gtk_widget_set_sensitive (GTK_WIDGET (self->transparent_row), format != HL_PLOT_FORMAT_PDF);
  hl_export_dialog_update_pixels (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->preview));
}

/* Shows self->width and self->height in the chosen unit, with limits that
 * keep a figure between half an inch and 40 inches. */
static void
hl_export_dialog_show_size (HlExportDialog *self)
{
  double f = unit_factor (self);

  self->updating = TRUE;
  gtk_adjustment_configure (self->width_adjustment, self->width * f, 0.5 * f, 40.0 * f,
                            0.1, 1.0, 0.0);
  gtk_adjustment_configure (self->height_adjustment, self->height * f, 0.5 * f, 40.0 * f,
                            0.1, 1.0, 0.0);
  self->updating = FALSE;
}

static Preset
preset_for_width (double width)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (fabs (presets[i].width - width) < 1e-3)
      return i;

  return PRESET_CUSTOM;
}

static void
hl_export_dialog_apply_size (HlExportDialog *self,
                             double          width,
                             double          height)
{
  self->width = CLAMP (width, 0.5, 40.0);
  self->height = CLAMP (height, 0.5, 40.0);
  hl_export_dialog_show_size (self);

  self->updating = TRUE;
  adw_combo_row_set_selected (self->preset_row, preset_for_width (self->width));
  self->updating = FALSE;
  hl_export_dialog_changed (self);
}

void
hl_export_dialog_set_size (HlExportDialog *self,
                           double          width,
                           double          height)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (width > 0 && height > 0);

  self->size_chosen = TRUE;
  hl_export_dialog_apply_size (self, width, height);
}

void
hl_export_dialog_set_format (HlExportDialog *self,
                             HlPlotFormat    format)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (format <= HL_PLOT_FORMAT_PDF);

  adw_combo_row_set_selected (self->format_row, format);
}

void
hl_export_dialog_set_dpi (HlExportDialog *self,
                          double          dpi)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));

  gtk_spin_button_set_value (self->dpi_spin, dpi);
}

static void
size_spin_value_changed_cb (HlExportDialog *self,
                            GtkSpinButton  *spin)
{
  double f = unit_factor (self);

  if (self->updating)
    return;

  self->size_chosen = TRUE;
  hl_export_dialog_apply_size (self,
                               gtk_spin_button_get_value (self->width_spin) / f,
                               gtk_spin_button_get_value (self->height_spin) / f);
}

static void
preset_row_selected_cb (HlExportDialog *self,
                        GParamSpec     *pspec,
                        AdwComboRow    *row)
{
  guint preset = adw_combo_row_get_selected (row);

  if (self->updating || preset >= G_N_ELEMENTS (presets))
    return;

  self->size_chosen = TRUE;
  hl_export_dialog_apply_size (self, presets[preset].width, presets[preset].height);
}

static void
unit_row_selected_cb (HlExportDialog *self,
                      GParamSpec     *pspec,
                      AdwComboRow    *row)
{
  hl_export_dialog_show_size (self);
}

static void
option_changed_cb (HlExportDialog *self)
{
  hl_export_dialog_changed (self);
}

/* A family that is not installed is never offered, so the one chosen can
 * be remembered for the next figure as it is. */
static void
font_button_notify_cb (HlExportDialog *self)
{
  g_autofree char *family = hl_export_dialog_dup_font_family (self);

  g_settings_set_string (self->settings, "export-font-family", family);
  hl_export_dialog_changed (self);
}

/* Figures --------------------------------------------------------------- */

/* Until the user picks a size, each figure starts at its kind's: a
 * multi-panel figure spans both columns, a single plot one. */
static void
hl_export_dialog_apply_default_size (HlExportDialog *self,
                                     HlPlotKind      kind)
{
  Preset preset = kind == HL_PLOT_PANEL ? PRESET_DOUBLE : PRESET_SINGLE;

  if (!self->size_chosen)
    hl_export_dialog_apply_size (self, presets[preset].width, presets[preset].height);
}

static void
hl_export_dialog_show_figure (HlExportDialog *self)
{
  HlFigure *figure = selected_figure (self);

  if (figure == NULL)
    return;

  hl_export_dialog_apply_default_size (self, hl_figure_get_kind (figure));

  adw_window_title_set_subtitle (self->window_title, hl_figure_get_name (figure));
  gtk_widget_queue_draw (GTK_WIDGET (self->preview));
}

static void
figure_row_selected_cb (HlExportDialog *self,
                        GParamSpec     *pspec,
                        AdwComboRow    *row)
{
  hl_export_dialog_show_figure (self);
}

void
hl_export_dialog_add_figure (HlExportDialog *self,
                             HlFigure       *figure)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (figure != NULL);
  g_return_if_fail (hl_figure_get_name (figure) != NULL && hl_figure_get_basename (figure) != NULL);

  g_ptr_array_add (self->figures, hl_figure_ref (figure));
  /* What it shows now: the window may move on while the dialog is open. */
  g_ptr_array_add (self->provenances, self->session != NULL
                                      ? hl_session_figure_provenance (self->session, figure) : NULL);
  g_ptr_array_add (self->titles, self->session != NULL
                                 ? hl_session_figure_document_title (self->session, figure) : NULL);
  gtk_string_list_append (self->figure_list, hl_figure_get_name (figure));

  /* A choice of one is no choice. */
  gtk_widget_set_visible (GTK_WIDGET (self->figure_group), self->figures->len > 1);
  if (self->figures->len == 1)
    hl_export_dialog_show_figure (self);
}

void
hl_export_dialog_select_figure (HlExportDialog *self,
                                guint           index)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (index < self->figures->len);

  adw_combo_row_set_selected (self->figure_row, index);
}

guint
hl_export_dialog_get_n_figures (HlExportDialog *self)
{
  g_return_val_if_fail (HL_IS_EXPORT_DIALOG (self), 0);

  return self->figures->len;
}

guint
hl_export_dialog_get_selected_figure (HlExportDialog *self)
{
  g_return_val_if_fail (HL_IS_EXPORT_DIALOG (self), 0);

  return adw_combo_row_get_selected (self->figure_row);
}

/* The preview ------------------------------------------------------------ */

/* The grey and white squares image editors use to show transparency. */
static void
draw_checkerboard (cairo_t               *cr,
                   const graphene_rect_t *rect)
{
  const double size = 8.0;

  cairo_save (cr);
  cairo_rectangle (cr, rect->origin.x, rect->origin.y, rect->size.width, rect->size.height);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
  for (double y = 0; y < rect->size.height; y += size)
    for (double x = ((int) (y / size) % 2) * size; x < rect->size.width; x += 2 * size)
      cairo_rectangle (cr, rect->origin.x + x, rect->origin.y + y, size, size);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* The page at the largest scale that fits, centred. */
static gboolean
fit_page (HlExportDialog  *self,
          int              width,
          int              height,
          graphene_rect_t *rect,
          double          *scale)
{
  double page_w = self->width * POINTS_PER_INCH;
  double page_h = self->height * POINTS_PER_INCH;

  *scale = MIN ((width - 2 * PREVIEW_MARGIN) / page_w, (height - 2 * PREVIEW_MARGIN) / page_h);
  if (*scale <= 0)
    return FALSE;

  graphene_rect_init (rect, (width - page_w * *scale) / 2, (height - page_h * *scale) / 2,
                      page_w * *scale, page_h * *scale);
  return TRUE;
}

/* Draws what the file will contain: the renderer at the figure's size in
 * points, scaled down as a whole, so text and lines keep their size
 * relative to the figure. */
static void
preview_draw_cb (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  HlExportDialog *self = user_data;
  HlFigure *figure = selected_figure (self);
  g_autoptr(HlPlotStyle) style = NULL;
  HlPlotExportOptions options;
  graphene_rect_t rect;
  double scale;

  /* A neutral desk under the page, light or dark theme alike. */
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.15);
  cairo_paint (cr);
  if (figure == NULL || !fit_page (self, width, height, &rect, &scale))
    return;

  hl_export_dialog_get_options (self, &options);
  style = hl_export_dialog_dup_style (self);
  if (options.transparent)
    {
      style->background.alpha = 0.0;
      draw_checkerboard (cr, &rect);
    }

  cairo_save (cr);
  cairo_rectangle (cr, rect.origin.x, rect.origin.y, rect.size.width, rect.size.height);
  cairo_clip (cr);
  cairo_translate (cr, rect.origin.x, rect.origin.y);
  cairo_scale (cr, scale, scale);
  hl_figure_draw (figure, style, cr, self->width * POINTS_PER_INCH,
                  self->height * POINTS_PER_INCH);
  cairo_restore (cr);

  /* The page's edge, so a white figure stands out from the window. */
  cairo_set_source_rgba (cr, 0, 0, 0, 0.3);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, rect.origin.x - 0.5, rect.origin.y - 0.5,
                   rect.size.width + 1, rect.size.height + 1);
  cairo_stroke (cr);

  self->preview_rect = rect;
  self->preview_drawn = TRUE;
}

gboolean
hl_export_dialog_get_preview_rect (HlExportDialog  *self,
                                   graphene_rect_t *rect)
{
  g_return_val_if_fail (HL_IS_EXPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  *rect = self->preview_rect;
  return self->preview_drawn;
}

/* Saving ----------------------------------------------------------------- */

void
hl_export_dialog_set_session (HlExportDialog *self,
                              HlSession      *session)
{
  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (HL_IS_SESSION (session));
  g_return_if_fail (self->figures->len == 0);

  g_set_object (&self->session, session);
}

/* The figure's provenance as its file records it, with the style chosen,
 * its files read now; NULL without a session or on @error. */
static char *
hl_export_dialog_provenance (HlExportDialog     *self,
                             guint               index,
                             const HlPlotStyle  *style,
                             GError            **error)
{
  HlProvenance *provenance = g_ptr_array_index (self->provenances, index);

  if (provenance == NULL)
    return NULL;
  hl_provenance_add_figure_string (provenance, "style", hl_plot_style_preset_to_string (selected_preset (self)));
  hl_provenance_add_figure_string (provenance, "font", style->font_family);
  hl_provenance_add_figure_double (provenance, "font_size", style->font_size);
  if (!hl_provenance_read_inputs (provenance, error))
    return NULL;
  return hl_provenance_to_json (provenance, FALSE);
}

static void
hl_export_dialog_write (HlExportDialog *self,
                        const char     *path)
{
  HlFigure *figure = selected_figure (self);
  g_autoptr(HlPlotStyle) style = hl_export_dialog_dup_style (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *provenance = NULL;
  guint index = adw_combo_row_get_selected (self->figure_row);
  HlPlotExportOptions options;

  g_assert (figure != NULL);

  hl_export_dialog_get_options (self, &options);
  provenance = hl_export_dialog_provenance (self, index, style, &error);
  options.provenance = provenance;
  options.title = g_ptr_array_index (self->titles, index);
  if (error != NULL || !hl_figure_export_to_file (figure, style, &options, path, &error))
    {
      hl_dialogs_show_error (GTK_WINDOW (self), _("Could Not Save the Figure"),
                             error->message);
      return;
    }

  message = g_strdup_printf (_("Saved the figure in “%s”"), path);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
  g_signal_emit (self, signals[SAVED], 0, path);
}

static void
replace_confirmed_cb (GtkWindow *parent,
                      gpointer   path)
{
  hl_export_dialog_write (HL_EXPORT_DIALOG (parent), path);
}

static void
hl_export_dialog_confirm_replace (HlExportDialog *self,
                                  const char     *path)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  heading = g_strdup_printf (_("Replace “%s”?"), name);
  body = g_strdup_printf (_("A file with this name already exists in “%s”. "
                            "Replacing it overwrites its contents."), folder);
  hl_dialogs_confirm_replace (GTK_WINDOW (self), heading, body, replace_confirmed_cb,
                              g_strdup (path), g_free);
}

/* @path with the format's extension: one the user typed chooses the format
 * (and the dialog shows it), a missing one is added. */
static char *
hl_export_dialog_resolve_path (HlExportDialog *self,
                               const char     *path)
{
  HlPlotFormat format;

  if (hl_plot_format_from_path (path, &format))
    {
      hl_export_dialog_set_format (self, format);
      return g_strdup (path);
    }

  return g_strconcat (path, format_extension (selected_format (self)), NULL);
}

void
hl_export_dialog_save_to_path (HlExportDialog *self,
                               const char     *path)
{
  g_autofree char *resolved = NULL;

  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (selected_figure (self) != NULL);

  resolved = hl_export_dialog_resolve_path (self, path);
  if (g_file_test (resolved, G_FILE_TEST_EXISTS))
    hl_export_dialog_confirm_replace (self, resolved);
  else
    hl_export_dialog_write (self, resolved);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(HlExportDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        hl_export_dialog_save_to_path (self, path);
    }

  g_object_unref (chooser);
}

static GtkFileFilter *
format_filter (HlPlotFormat format)
{
  static const char *names[] = { N_("PNG Images"), N_("SVG Drawings"), N_("PDF Documents") };
  static const char *types[] = { "image/png", "image/svg+xml", "application/pdf" };
  GtkFileFilter *filter = gtk_file_filter_new ();
  g_autofree char *pattern = g_strconcat ("*", format_extension (format), NULL);

  gtk_file_filter_set_name (filter, _(names[format]));
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_filter_add_mime_type (filter, types[format]);
  return filter;
}

void
hl_export_dialog_choose_file (HlExportDialog *self)
{
  HlPlotFormat format = selected_format (self);
  HlFigure *figure = selected_figure (self);
  g_autoptr(GtkFileFilter) filter = format_filter (format);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  g_return_if_fail (HL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (figure != NULL);

  /* GTK 4.8 has no GtkFileDialog. Its choosers' own overwrite question is
   * not guaranteed behind every portal, so save_to_path asks as well. */
  chooser = gtk_file_chooser_native_new (_("Save Figure"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = g_strconcat (hl_figure_get_basename (figure), format_extension (format), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_button_clicked_cb (HlExportDialog *self)
{
  hl_export_dialog_choose_file (self);
}

/* GObject ---------------------------------------------------------------- */

static const char *
current_style_name (HlPlotStylePreset preset)
{
  switch (preset)
    {
    case HL_PLOT_STYLE_LIGHT: return _("As on screen (light)");
    case HL_PLOT_STYLE_DARK: return _("As on screen (dark)");
    case HL_PLOT_STYLE_HIGH_CONTRAST: return _("As on screen (high contrast)");
    case HL_N_PLOT_STYLE_PRESETS:
    default: g_assert_not_reached ();
    }
}

HlExportDialog *
hl_export_dialog_new (GtkWindow         *parent,
                      HlPlotStylePreset  current)
{
  HlExportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (HL_TYPE_EXPORT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->current = current;
  gtk_string_list_append (self->style_list, _("Light"));
  gtk_string_list_append (self->style_list, current_style_name (current));
  return self;
}

static void
hl_export_dialog_finalize (GObject *object)
{
  HlExportDialog *self = HL_EXPORT_DIALOG (object);

  g_clear_pointer (&self->figures, g_ptr_array_unref);
  g_clear_pointer (&self->provenances, g_ptr_array_unref);
  g_clear_pointer (&self->titles, g_ptr_array_unref);

  G_OBJECT_CLASS (hl_export_dialog_parent_class)->finalize (object);
}

static void
hl_export_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), HL_TYPE_EXPORT_DIALOG);
  g_clear_object (&HL_EXPORT_DIALOG (object)->settings);
  g_clear_object (&HL_EXPORT_DIALOG (object)->session);

  G_OBJECT_CLASS (hl_export_dialog_parent_class)->dispose (object);
}

static void
hl_export_dialog_class_init (HlExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_export_dialog_dispose;
  object_class->finalize = hl_export_dialog_finalize;

  /**
   * HlExportDialog::saved:
   * @path: the file written
   *
   * Emitted after the figure was written.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, figure_group);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, figure_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, figure_list);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, dpi_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, dpi_spin);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, transparent_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, transparent_switch);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, preset_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, unit_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, width_spin);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, height_spin);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, width_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, height_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, style_row);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, style_list);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, font_spin);
  gtk_widget_class_bind_template_child (widget_class, HlExportDialog, font_button);
  gtk_widget_class_bind_template_callback (widget_class, save_button_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
figure_item_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
  gtk_list_item_set_child (item, label);
}

static void
figure_item_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  user_data)
{
  GtkStringObject *name = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (name));
}

/* Figure names are long and differ at their ends ("…over N" and "…over
 * N, as three panels"): the list wraps them whole, and the row shows the
 * chosen one whole under its title. */
static void
hl_export_dialog_init_figure_row (HlExportDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (figure_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (figure_item_bind_cb), NULL);
  adw_combo_row_set_list_factory (self->figure_row, factory);
  adw_combo_row_set_use_subtitle (self->figure_row, TRUE);
}

static void
hl_export_dialog_connect (HlExportDialog *self)
{
  hl_export_dialog_init_figure_row (self);
  g_signal_connect_swapped (self->figure_row, "notify::selected",
                            G_CALLBACK (figure_row_selected_cb), self);
  g_signal_connect_swapped (self->preset_row, "notify::selected",
                            G_CALLBACK (preset_row_selected_cb), self);
  g_signal_connect_swapped (self->unit_row, "notify::selected",
                            G_CALLBACK (unit_row_selected_cb), self);
  g_signal_connect_swapped (self->width_spin, "value-changed",
                            G_CALLBACK (size_spin_value_changed_cb), self);
  g_signal_connect_swapped (self->height_spin, "value-changed",
                            G_CALLBACK (size_spin_value_changed_cb), self);
  g_signal_connect_swapped (self->format_row, "notify::selected",
                            G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->style_row, "notify::selected",
                            G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->dpi_spin, "value-changed",
                            G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->font_spin, "value-changed",
                            G_CALLBACK (option_changed_cb), self);
  g_signal_connect_swapped (self->font_button, "notify::font-desc",
                            G_CALLBACK (font_button_notify_cb), self);
  g_signal_connect_swapped (self->transparent_switch, "notify::active",
                            G_CALLBACK (option_changed_cb), self);
}

/* The family of the last export; one that is gone (uninstalled since) falls
 * back to the default rather than to whatever fontconfig substitutes. */
static void
hl_export_dialog_restore_font (HlExportDialog *self)
{
  g_autofree char *family = g_settings_get_string (self->settings, "export-font-family");

  if (!hl_plot_text_has_family (family))
    {
      g_settings_reset (self->settings, "export-font-family");
      g_clear_pointer (&family, g_free);
      family = g_settings_get_string (self->settings, "export-font-family");
    }
  hl_export_dialog_set_font_family (self, family);
}

static void
hl_export_dialog_init (HlExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->figures = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_figure_unref);
  self->provenances = g_ptr_array_new_with_free_func ((GDestroyNotify) hl_provenance_free);
  self->titles = g_ptr_array_new_with_free_func (g_free);
  self->settings = g_settings_new (APPLICATION_ID);
  hl_export_dialog_restore_font (self);
  gtk_widget_set_visible (GTK_WIDGET (self->figure_group), FALSE);
  gtk_drawing_area_set_draw_func (self->preview, preview_draw_cb, self, NULL);
  hl_export_dialog_connect (self);
  hl_export_dialog_apply_size (self, presets[PRESET_SINGLE].width,
                               presets[PRESET_SINGLE].height);
}
