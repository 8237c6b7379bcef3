/* hl-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "hl-preferences-window.h"
#include "hl-settings-choice.h"

struct _HlPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwComboRow          *ranking_row;
  AdwComboRow          *distance_row;
  GtkAdjustment        *retriever_adjustment;
  GtkAdjustment        *reset_adjustment;
  GtkAdjustment        *repeats_adjustment;
  GtkAdjustment        *bootstrap_adjustment;
  GtkAdjustment        *threads_adjustment;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (HlPreferencesWindow, hl_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

HlPreferencesWindow *
hl_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (HL_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}

static void
bind_choice (HlPreferencesWindow *self,
             const char          *key,
             AdwComboRow         *row,
             const char * const  *choices)
{
  hl_settings_bind_choice (self->settings, key, row, "selected", choices);
}

static void
hl_preferences_window_bind (HlPreferencesWindow *self)
{
  static const struct {
    const char *key;
    gsize       offset;
  } adjustments[] = {
    { "retriever-share", G_STRUCT_OFFSET (HlPreferencesWindow, retriever_adjustment) },
    { "reset-share", G_STRUCT_OFFSET (HlPreferencesWindow, reset_adjustment) },
    { "random-repeats", G_STRUCT_OFFSET (HlPreferencesWindow, repeats_adjustment) },
    { "bootstrap-replicates", G_STRUCT_OFFSET (HlPreferencesWindow, bootstrap_adjustment) },
    { "analysis-threads", G_STRUCT_OFFSET (HlPreferencesWindow, threads_adjustment) },
  };

  bind_choice (self, "ranking", self->ranking_row, hl_ranking_choices);
  bind_choice (self, "distance", self->distance_row, hl_distance_choices);

  for (guint i = 0; i < G_N_ELEMENTS (adjustments); i++)
    {
      GtkAdjustment *adjustment = G_STRUCT_MEMBER (GtkAdjustment *, self,
                                                   adjustments[i].offset);

      g_settings_bind (self->settings, adjustments[i].key, adjustment, "value",
                       G_SETTINGS_BIND_DEFAULT);
    }
}

static void
hl_preferences_window_dispose (GObject *object)
{
  HlPreferencesWindow *self = HL_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hl_preferences_window_parent_class)->dispose (object);
}

static void
hl_preferences_window_class_init (HlPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, ranking_row);
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, distance_row);
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, retriever_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, reset_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, repeats_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, bootstrap_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlPreferencesWindow, threads_adjustment);
}

static void
hl_preferences_window_init (HlPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  hl_preferences_window_bind (self);
}
