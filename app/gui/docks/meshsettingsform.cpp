#include "meshsettingsform.h"

#include "fieldmarker.h"
#include "formwidgets.h"

#include "commands/updatesettingscommand.h"

#include "model/topologymodel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QUndoStack>
#include <QVBoxLayout>

namespace meshpad::gui {

using mesh::model::IntentionAction;
using mesh::model::MeshSettings;
using mesh::model::TopologyModel;

namespace {

// As ProjectFile accepts them.
constexpr int kMaxDurationMs = 24 * 3600 * 1000;

} // namespace

MeshSettingsForm::MeshSettingsForm(TopologyModel &model, QUndoStack &undoStack, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_undoStack(undoStack)
    , m_name(new QLineEdit)
    , m_datacenter(new QLineEdit)
    , m_defaultIntention(new QComboBox)
    , m_scriptProxy(new QComboBox)
    , m_leafTtl(spinBox(1, 8760, tr(" h")))
    , m_dashboardRefresh(spinBox(50, kMaxDurationMs, tr(" ms")))
    , m_healthInterval(spinBox(50, kMaxDurationMs, tr(" ms")))
{
    setObjectName(QStringLiteral("meshSettingsForm"));
    m_defaultIntention->addItem(tr("Allow"), QStringLiteral("allow"));
    m_defaultIntention->addItem(tr("Deny"), QStringLiteral("deny"));
    m_scriptProxy->addItem(tr("consul connect proxy"), QStringLiteral("consul"));
    m_scriptProxy->addItem(tr("meshpad proxy"), QStringLiteral("meshpad"));

    const auto field = [this](const QString &key, QWidget *widget, const QString &toolTip) {
        QString name = key;
        widget->setObjectName(QStringLiteral("mesh_") + name.replace(u'.', u'_'));
        widget->setToolTip(toolTip);
        m_fields.insert(key, widget);
        m_toolTips.insert(key, toolTip);
        return widget;
    };

    auto *hint = new QLabel(tr("Nothing is selected: these are the design's own settings. Select a service or "
                               "an arrow to edit it."));
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto *mesh = new QGroupBox(tr("Mesh"));
    auto *meshForm = new QFormLayout(mesh);
    meshForm->addRow(tr("&Name"), field(QStringLiteral("name"), m_name,
                                        tr("The design's name; the generated README and scripts use it.")));
    meshForm->addRow(tr("&Datacenter"),
                     field(QStringLiteral("datacenter"), m_datacenter,
                           tr("Consul and Nomad datacenter (lowercase letters, digits, '-' and '_'); it is "
                              "part of every service's SPIFFE ID.")));
    meshForm->addRow(tr("Default &intention"),
                     field(QStringLiteral("defaultIntention"), m_defaultIntention,
                           tr("What Consul does for a source no arrow names: allow (Consul's default without "
                              "ACLs) or deny (written as a trailing \"*\" deny).")));
    meshForm->addRow(tr("Script &proxy"),
                     field(QStringLiteral("scriptProxy"), m_scriptProxy,
                           tr("The sidecar the generated scripts/*.sh run: Consul's built-in proxy, as the post "
                              "does, or Meshpad's own (meshpad proxy -sidecar-for), which also runs against "
                              "the lab's Consul API.")));

    auto *lab = new QGroupBox(tr("Lab"));
    auto *labForm = new QFormLayout(lab);
    labForm->addRow(tr("&Leaf lifetime"), field(QStringLiteral("lab.leafTtlHours"), m_leafTtl,
                                                tr("How long the lab's service certificates are valid; Consul's "
                                                   "default is 72 h.")));
    labForm->addRow(tr("Dashboard &refresh"),
                    field(QStringLiteral("lab.dashboardRefreshMs"), m_dashboardRefresh,
                          tr("How often a lab dashboard fetches a count while a page is open.")));
    labForm->addRow(tr("&Health interval"),
                    field(QStringLiteral("lab.healthIntervalMs"), m_healthInterval,
                          tr("How often the lab checks a service that declares no check (a TCP connect to "
                             "its port).")));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addWidget(mesh);
    layout->addWidget(lab);
    layout->addStretch(1);

    connect(m_name, &QLineEdit::textEdited, this, [this] { commit(QStringLiteral("name")); });
    connect(m_datacenter, &QLineEdit::textEdited, this, [this] { commit(QStringLiteral("datacenter")); });
    connect(m_defaultIntention, &QComboBox::currentIndexChanged, this,
            [this] { commit(QStringLiteral("defaultIntention")); });
    connect(m_scriptProxy, &QComboBox::currentIndexChanged, this, [this] { commit(QStringLiteral("scriptProxy")); });
    connect(m_leafTtl, &QSpinBox::valueChanged, this, [this] { commit(QStringLiteral("lab.leafTtlHours")); });
    connect(m_dashboardRefresh, &QSpinBox::valueChanged, this,
            [this] { commit(QStringLiteral("lab.dashboardRefreshMs")); });
    connect(m_healthInterval, &QSpinBox::valueChanged, this,
            [this] { commit(QStringLiteral("lab.healthIntervalMs")); });

    connect(&m_model, &TopologyModel::nameChanged, this, &MeshSettingsForm::reload);
    connect(&m_model, &TopologyModel::settingsChanged, this, &MeshSettingsForm::reload);
    connect(&m_model, &TopologyModel::modelReset, this, &MeshSettingsForm::reload);
    reload();
}

MeshSettingsForm::~MeshSettingsForm() = default;

void MeshSettingsForm::reload()
{
    const mesh::model::Topology &topology = m_model.topology();
    const MeshSettings &settings = topology.settings;
    m_loading = true;
    // Only widgets whose value differs are touched: the field being typed in
    // keeps its cursor when its own command comes back as a model change.
    if (m_name->text() != topology.name)
        m_name->setText(topology.name);
    if (m_datacenter->text() != settings.datacenter)
        m_datacenter->setText(settings.datacenter);
    const int intention = m_defaultIntention->findData(mesh::model::toString(settings.defaultPolicy));
    if (m_defaultIntention->currentIndex() != intention)
        m_defaultIntention->setCurrentIndex(intention);
    const int scriptProxy = m_scriptProxy->findData(mesh::model::toString(settings.scriptProxy));
    if (m_scriptProxy->currentIndex() != scriptProxy)
        m_scriptProxy->setCurrentIndex(scriptProxy);
    if (m_leafTtl->value() != settings.lab.leafTtlHours)
        m_leafTtl->setValue(settings.lab.leafTtlHours);
    if (m_dashboardRefresh->value() != settings.lab.dashboardRefreshMs)
        m_dashboardRefresh->setValue(settings.lab.dashboardRefreshMs);
    if (m_healthInterval->value() != settings.lab.healthIntervalMs)
        m_healthInterval->setValue(settings.lab.healthIntervalMs);
    m_loading = false;
}

void MeshSettingsForm::commit(const QString &field)
{
    if (m_loading)
        return;
    MeshSettings after = m_model.topology().settings;
    QString name = m_model.topology().name;
    if (field == QLatin1String("name"))
        name = m_name->text();
    else if (field == QLatin1String("datacenter"))
        after.datacenter = m_datacenter->text();
    else if (field == QLatin1String("defaultIntention"))
        after.defaultPolicy = mesh::model::intentionActionFromString(m_defaultIntention->currentData().toString())
                                  .value_or(IntentionAction::Allow);
    else if (field == QLatin1String("scriptProxy"))
        after.scriptProxy = mesh::model::scriptProxyFromString(m_scriptProxy->currentData().toString())
                                .value_or(mesh::model::ScriptProxy::Consul);
    else if (field == QLatin1String("lab.leafTtlHours"))
        after.lab.leafTtlHours = m_leafTtl->value();
    else if (field == QLatin1String("lab.dashboardRefreshMs"))
        after.lab.dashboardRefreshMs = m_dashboardRefresh->value();
    else if (field == QLatin1String("lab.healthIntervalMs"))
        after.lab.healthIntervalMs = m_healthInterval->value();
    if (after == m_model.topology().settings && name == m_model.topology().name)
        return;
    m_undoStack.push(new UpdateSettingsCommand(m_model, name, after, field));
}

void MeshSettingsForm::setProblems(const mesh::model::Problems &problems)
{
    QHash<QString, QStringList> messages;
    for (const mesh::model::Problem &problem : problems) {
        if (problem.service.isNull() && problem.upstream.isNull() && m_fields.contains(problem.field))
            messages[problem.field].append(problem.message);
    }
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it)
        markField(it.value(), messages.value(it.key()), m_toolTips.value(it.key()));
}

bool MeshSettingsForm::focusField(const QString &field)
{
    QWidget *widget = m_fields.value(field);
    if (!widget)
        return false;
    widget->setFocus(Qt::OtherFocusReason);
    if (auto *edit = qobject_cast<QLineEdit *>(widget))
        edit->selectAll();
    return true;
}

} // namespace meshpad::gui
