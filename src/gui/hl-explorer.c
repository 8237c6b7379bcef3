/* hl-explorer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>

#include "hl-causal-heatmap.h"
#include "hl-explorer.h"
#include "hl-head-table.h"
#include "hl-matrix-view.h"
#include "hl-session-watch.h"
#include "hl-settings-choice.h"

struct _HlExplorer
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkRevealer     *progress_revealer;
  GtkLabel        *progress_label;
  GtkProgressBar  *progress_bar;
  GtkDropDown     *ranking_dropdown;
  GtkDropDown     *distance_dropdown;
  GtkDropDown     *metric_dropdown;
  GtkLabel        *n_label;
  GtkScale        *n_scale;
  GtkAdjustment   *n_adjustment;
  GtkWidget       *sample_box;
  GtkWidget       *query_box;
  GtkAdjustment   *sample_adjustment;
  GtkAdjustment   *query_adjustment;
  GtkLabel        *query_position_label;
  GtkWidget       *scope_box;
  GtkDropDown     *scope_dropdown;
  GtkDropDown     *statistic_dropdown;
  GtkLabel        *model_heading;
  HlHeatmapView   *heatmap;
  GtkStack        *overview_stack;
  HlMatrixView    *matrices_view;
  HlHeadTable     *head_table;
  GtkScrolledWindow *overview_scroller;
  GtkScrolledWindow *detail_scroller;
  HlActivations   *shown_file;        /* the file last shown: a weak pointer */
  GtkWidget       *metric_label;
  HlModelPanel    *model_panel;
  HlHeadDetail    *head_detail;

  GSettings       *settings;
  HlSession       *session;    /* owned, or NULL */
  gboolean         updating;   /* the code moves the controls: do not echo */
};

G_DEFINE_FINAL_TYPE (HlExplorer, hl_explorer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
hl_explorer_new (void)
{
  return g_object_new (HL_TYPE_EXPLORER, NULL);
}

HlSession *
hl_explorer_get_session (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->session;
}

HlHeatmapView *
hl_explorer_get_heatmap (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->heatmap;
}

HlHeadTable *
hl_explorer_get_head_table (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->head_table;
}

void
hl_explorer_show_overview (HlExplorer *self,
                           const char *name)
{
  g_return_if_fail (HL_IS_EXPLORER (self));

  gtk_stack_set_visible_child_name (self->overview_stack, name);
}

HlHeadDetail *
hl_explorer_get_head_detail (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->head_detail;
}

HlModelPanel *
hl_explorer_get_model_panel (HlExplorer *self)
{
  g_return_val_if_fail (HL_IS_EXPLORER (self), NULL);

  return self->model_panel;
}

/* The heatmap's colours: the regime, then the metrics the registry offers
 * in menus, those at N first. The names are the setting's values. */
static const char * const *
metric_choices (void)
{
  static GPtrArray *choices;

  if (g_once_init_enter (&choices))
    {
      GPtrArray *names = g_ptr_array_new ();
      guint n;
      const HlMetric *metrics = hl_metric_get_all (&n);

      g_ptr_array_add (names, (gpointer) "regime");
      for (int per_n = 1; per_n >= 0; per_n--)
        for (guint i = 0; i < n; i++)
          if (metrics[i].in_menu && hl_metric_is_per_n (&metrics[i]) == per_n)
            g_ptr_array_add (names, (gpointer) metrics[i].name);
      g_ptr_array_add (names, NULL);
      g_once_init_leave (&choices, names);
    }
  return (const char * const *) choices->pdata;
}

static GListModel *
metric_labels (void)
{
  const char * const *choices = metric_choices ();
  GtkStringList *labels = gtk_string_list_new (NULL);

  gtk_string_list_append (labels, _("Regime"));
  for (guint i = 1; choices[i] != NULL; i++)
    gtk_string_list_append (labels, _(hl_metric_lookup (choices[i])->label));
  return G_LIST_MODEL (labels);
}

/* From the session to the controls ---------------------------------------- */

static const HlActivationsInfo *
file_info (HlExplorer *self)
{
  HlActivations *file = self->session != NULL ? hl_session_get_file (self->session) : NULL;

  return file != NULL ? hl_activations_get_info (file) : NULL;
}

/* The slider moves over the grid's indices, marked with their N. */
static void
hl_explorer_update_n (HlExplorer *self)
{
  int n = hl_session_get_n (self->session), n_grid, index = 0;
  const int *grid = hl_session_get_grid (self->session, &n_grid);
  g_autofree char *text = n > 0 ? g_strdup_printf (_("N = %d"), n) : g_strdup (_("N = —"));

  gtk_scale_clear_marks (self->n_scale);
  for (int i = 0; i < n_grid; i++)
    {
      g_autofree char *mark = g_strdup_printf ("<small>%d</small>", grid[i]);

      gtk_scale_add_mark (self->n_scale, i, GTK_POS_BOTTOM, mark);
      if (grid[i] == n)
        index = i;
    }
  gtk_adjustment_configure (self->n_adjustment, index, 0, MAX (n_grid - 1, 0), 1, 1, 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->n_scale), n_grid > 1);
  gtk_label_set_text (self->n_label, text);
}

static void
hl_explorer_update_position (HlExplorer *self)
{
  const HlActivationsInfo *info = file_info (self);
  int sample = hl_session_get_sample (self->session);
  int query = hl_session_get_query (self->session);
  g_autofree char *position = NULL;

  gtk_widget_set_visible (self->sample_box, info != NULL && info->n_samples > 1);
  gtk_widget_set_visible (self->query_box, info != NULL && info->n_queries > 1);
  if (info == NULL)
    return;
  gtk_adjustment_configure (self->sample_adjustment, sample, 0, info->n_samples - 1, 1, 1, 0);
  gtk_adjustment_configure (self->query_adjustment, query, 0, info->n_queries - 1, 1, 1, 0);
  position = g_strdup_printf (_("t = %d"), info->query_positions[query]);
  gtk_label_set_text (self->query_position_label, position);
}

/* The scope is offered for a file with several samples or queries; the
 * heatmap's colour while it is shown, with the statistic when a cell
 * shows a set of results, coloured by a metric. */
static void
hl_explorer_update_scope (HlExplorer *self)
{
  const HlActivationsInfo *info = file_info (self);
  g_autofree char *scope = hl_session_dup_scope_label (self->session);
  g_autofree char *heading = NULL;
  gboolean heatmap = g_strcmp0 (gtk_stack_get_visible_child_name (self->overview_stack),
                                "heatmap") == 0;

  gtk_widget_set_visible (self->scope_box,
                          info != NULL && (info->n_samples > 1 || info->n_queries > 1));
  gtk_widget_set_visible (self->metric_label, heatmap);
  gtk_widget_set_visible (GTK_WIDGET (self->metric_dropdown), heatmap);
  gtk_widget_set_visible (GTK_WIDGET (self->statistic_dropdown),
                          heatmap && hl_session_get_scope_size (self->session) > 1
                          && hl_session_get_heatmap_metric (self->session) != NULL);
  /* Translators: the model panel's heading, e.g. "Model · mean over 16 queries of sample 0" */
  heading = info != NULL ? g_strdup_printf (_("Model · %s"), scope) : g_strdup (_("Model"));
  gtk_label_set_text (self->model_heading, heading);
}

static void
hl_explorer_update_progress (HlExplorer *self)
{
  guint done = hl_session_get_n_received (self->session);
  guint total = hl_session_get_n_expected (self->session);
  g_autofree char *text = g_strdup_printf (_("Analysing heads: %u of %u"), done, total);

  gtk_revealer_set_reveal_child (self->progress_revealer, hl_session_get_running (self->session));
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, hl_session_get_progress (self->session));
}

/* Another file starts at the top of both panes, its heatmap in view. */
static void
hl_explorer_update_file (HlExplorer *self)
{
  HlActivations *file = hl_session_get_file (self->session);

  if (file == self->shown_file)
    return;
  g_set_weak_pointer (&self->shown_file, file);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->overview_scroller), 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->detail_scroller), 0);
}

static void
hl_explorer_update (HlExplorer *self)
{
  self->updating = TRUE;
  hl_explorer_update_file (self);
  hl_explorer_update_n (self);
  hl_explorer_update_position (self);
  hl_explorer_update_scope (self);
  hl_explorer_update_progress (self);
  self->updating = FALSE;
}

static void
overview_page_changed_cb (HlExplorer *self)
{
  if (self->session != NULL)
    hl_explorer_update (self);
}

void
hl_explorer_set_session (HlExplorer *self,
                         HlSession  *session)
{
  static const char * const shown[] = {
    "file", "sample", "query", "n", "analysis-state", "progress", "scope", "heatmap-metric", NULL
  };

  g_return_if_fail (HL_IS_EXPLORER (self));

  if (!hl_session_watch (self, &self->session, session, shown,
                        G_CALLBACK (hl_explorer_update)))
    return;

  hl_heatmap_view_set_session (self->heatmap, session);
  hl_matrix_view_set_session (self->matrices_view, session);
  hl_head_table_set_session (self->head_table, session);
  hl_model_panel_set_session (self->model_panel, session);
  hl_head_detail_set_session (self->head_detail, session);
  if (session != NULL)
    hl_explorer_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* From the controls to the session ---------------------------------------- */

static void
n_adjustment_value_changed_cb (HlExplorer    *self,
                               GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);
  const int *grid;
  int n_grid;

  if (self->updating || self->session == NULL)
    return;
  /* The slider moves over grid indices: keep it on one. */
  if (value != round (value))
    {
      gtk_adjustment_set_value (adjustment, round (value));
      return;
    }

  grid = hl_session_get_grid (self->session, &n_grid);
  if (n_grid > 0)
    hl_session_set_n (self->session, grid[CLAMP ((int) value, 0, n_grid - 1)]);
}

static void
hl_explorer_n_step_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  HlExplorer *self = HL_EXPLORER (widget);

  if (self->session != NULL)
    hl_session_step_n (self->session, g_variant_get_int32 (param));
}

static void
sample_or_query_changed_cb (HlExplorer    *self,
                            GtkAdjustment *adjustment)
{
  if (self->updating || self->session == NULL || hl_session_get_file (self->session) == NULL)
    return;

  hl_session_set_sample (self->session, (int) gtk_adjustment_get_value (self->sample_adjustment));
  hl_session_set_query (self->session, (int) gtk_adjustment_get_value (self->query_adjustment));
}

static void
hl_explorer_cancel_analysis_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  HlExplorer *self = HL_EXPLORER (widget);

  if (self->session != NULL)
    hl_session_cancel_analysis (self->session);
}

/* Life cycle ------------------------------------------------------------- */

static void
hl_explorer_dispose (GObject *object)
{
  HlExplorer *self = HL_EXPLORER (object);
  GtkWidget *child;

  hl_session_watch (self, &self->session, NULL, NULL, NULL);
  g_clear_weak_pointer (&self->shown_file);
  g_clear_object (&self->settings);
  /* The template's root is a child of this widget: unparent it before
   * the template is torn down. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), HL_TYPE_EXPLORER);

  G_OBJECT_CLASS (hl_explorer_parent_class)->dispose (object);
}

static void
hl_explorer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, HL_EXPLORER (object)->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_explorer_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      hl_explorer_set_session (HL_EXPLORER (object), g_value_get_object (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hl_explorer_class_init_bindings (GtkWidgetClass *widget_class)
{
  static const struct {
    guint keyval;
    int   delta;
  } keys[] = {
    { GDK_KEY_plus, 1 }, { GDK_KEY_equal, 1 }, { GDK_KEY_KP_Add, 1 },
    { GDK_KEY_minus, -1 }, { GDK_KEY_KP_Subtract, -1 },
  };

  gtk_widget_class_install_action (widget_class, "explorer.n-step", "i",
                                   hl_explorer_n_step_action);
  gtk_widget_class_install_action (widget_class, "explorer.cancel-analysis", NULL,
                                   hl_explorer_cancel_analysis_action);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, 0,
                                         "explorer.n-step", "i", keys[i].delta);
}

static void
hl_explorer_class_init (HlExplorerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hl_explorer_dispose;
  object_class->get_property = hl_explorer_get_property;
  object_class->set_property = hl_explorer_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HL_TYPE_HEATMAP_VIEW);
  g_type_ensure (HL_TYPE_MATRIX_VIEW);
  g_type_ensure (HL_TYPE_HEAD_TABLE);
  g_type_ensure (HL_TYPE_HEAD_DETAIL);
  g_type_ensure (HL_TYPE_MODEL_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/headlens/Headlens/ui/hl-explorer.ui");
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, ranking_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, distance_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, metric_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, n_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, n_scale);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, n_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, sample_box);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, query_box);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, sample_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, query_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, query_position_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, scope_box);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, scope_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, statistic_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, model_heading);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, heatmap);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, overview_stack);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, matrices_view);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, head_table);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, overview_scroller);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, detail_scroller);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, metric_label);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, model_panel);
  gtk_widget_class_bind_template_child (widget_class, HlExplorer, head_detail);
  gtk_widget_class_bind_template_callback (widget_class, n_adjustment_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sample_or_query_changed_cb);

  hl_explorer_class_init_bindings (widget_class);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* The width of the widest of @dropdown's strings, in its font. */
static int
widest_choice (GtkDropDown *dropdown,
               GtkWidget   *label)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);
  int widest = 0;

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) choice = g_list_model_get_item (model, i);
      g_autoptr(PangoLayout) layout =
        gtk_widget_create_pango_layout (label, gtk_string_object_get_string (choice));
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      widest = MAX (widest, width);
    }
  return widest;
}

/* Measured once the label has its style (its font): when shown. */
static void
choice_label_map_cb (GtkWidget   *label,
                     GtkDropDown *dropdown)
{
  gtk_widget_set_size_request (label, widest_choice (dropdown, label), -1);
}

static void
choice_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 GtkDropDown              *dropdown)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  g_signal_connect (label, "map", G_CALLBACK (choice_label_map_cb), dropdown);
  gtk_list_item_set_child (item, label);
}

static void
choice_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                GtkDropDown              *dropdown)
{
  GtkStringObject *choice = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (choice));
}

/* A drop-down as wide as its widest choice whichever is chosen, so
 * choosing one does not move the controls beside it. */
static void
hl_explorer_fix_width (GtkDropDown *dropdown)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (choice_setup_cb), dropdown);
  g_signal_connect (factory, "bind", G_CALLBACK (choice_bind_cb), dropdown);
  gtk_drop_down_set_factory (dropdown, factory);
}

/* The drop-downs show and set the settings the session follows. */
static void
hl_explorer_init_settings (HlExplorer *self)
{
  g_autoptr(GListModel) labels = metric_labels ();

  gtk_drop_down_set_model (self->metric_dropdown, labels);
  hl_explorer_fix_width (self->ranking_dropdown);
  hl_explorer_fix_width (self->distance_dropdown);
  hl_explorer_fix_width (self->scope_dropdown);
  hl_explorer_fix_width (self->statistic_dropdown);
  self->settings = g_settings_new (APPLICATION_ID);
  hl_settings_bind_choice (self->settings, "ranking", self->ranking_dropdown, "selected",
                           hl_ranking_choices);
  hl_settings_bind_choice (self->settings, "distance", self->distance_dropdown, "selected",
                           hl_distance_choices);
  hl_settings_bind_choice (self->settings, "heatmap-metric", self->metric_dropdown, "selected",
                           metric_choices ());
  hl_causal_heatmap_attach (self->metric_dropdown, self->heatmap);
  hl_settings_bind_choice (self->settings, "scope", self->scope_dropdown, "selected",
                           hl_scope_choices);
  hl_settings_bind_choice (self->settings, "heatmap-statistic", self->statistic_dropdown,
                           "selected", hl_statistic_choices);
}

static void
hl_explorer_init (HlExplorer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  hl_explorer_init_settings (self);
  g_signal_connect_swapped (self->overview_stack, "notify::visible-child-name",
                            G_CALLBACK (overview_page_changed_cb), self);
  gtk_label_set_text (self->n_label, _("N = —"));
  gtk_widget_set_visible (self->sample_box, FALSE);
  gtk_widget_set_visible (self->query_box, FALSE);
  gtk_widget_set_visible (self->scope_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->statistic_dropdown), FALSE);
}
