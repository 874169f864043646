#include "inspectordock.h"

#include "fieldmarker.h"
#include "formwidgets.h"
#include "meshsettingsform.h"

#include "commands/updateservicecommand.h"
#include "commands/updateupstreamcommand.h"

#include "model/topologymodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace meshpad::gui {

using mesh::model::KeyValue;
using mesh::model::PortMapping;
using mesh::model::Problem;
using mesh::model::Service;
using mesh::model::Upstream;

namespace {

// Readable on light and dark backgrounds; the frame is what tells, the
// tooltip says why.
QString objectNameFor(const QString &key)
{
    QString name = u"field_"_qs + key;
    name.replace(u'.', u'_');
    return name;
}

QString joinArgs(const QStringList &args)
{
    QStringList quoted;
    quoted.reserve(args.size());
    for (const QString &arg : args) {
        if (arg.isEmpty() || arg.contains(u' ') || arg.contains(u'"')) {
            QString escaped = arg;
            escaped.replace(u"\""_qs, u"\"\"\""_qs);
            quoted.append(u'"' + escaped + u'"');
        } else {
            quoted.append(arg);
        }
    }
    return quoted.join(u' ');
}

QStringList splitList(const QString &text)
{
    QStringList items;
    for (const QString &part : text.split(u',')) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            items.append(trimmed);
    }
    return items;
}

QList<KeyValue> keyValues(const QTableWidget *table)
{
    QList<KeyValue> result;
    for (int row = 0; row < table->rowCount(); ++row) {
        const QString key = table->item(row, 0) ? table->item(row, 0)->text() : QString();
        const QString value = table->item(row, 1) ? table->item(row, 1)->text() : QString();
        // A blank row is one the user just added and has not filled yet.
        if (!key.isEmpty() || !value.isEmpty())
            result.append({key, value});
    }
    return result;
}

void setKeyValues(QTableWidget *table, const QList<KeyValue> &values)
{
    table->setRowCount(int(values.size()));
    for (int row = 0; row < values.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(values.at(row).key));
        table->setItem(row, 1, new QTableWidgetItem(values.at(row).value));
    }
}

int intAt(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->data(Qt::EditRole).toInt() : 0;
}

QTableWidgetItem *intItem(int value)
{
    auto *item = new QTableWidgetItem;
    // An int EditRole gives a spin box editor: ports cannot be typed as text.
    item->setData(Qt::EditRole, value);
    return item;
}

QComboBox *comboOf(const QList<std::pair<QString, QString>> &items)
{
    auto *combo = new QComboBox;
    for (const auto &[text, data] : items)
        combo->addItem(text, data);
    return combo;
}

void selectData(QComboBox *combo, const QString &data)
{
    combo->setCurrentIndex(combo->findData(data));
}

} // namespace

InspectorDock::InspectorDock(mesh::model::TopologyModel &model, QUndoStack &undoStack, QWidget *parent)
    : QDockWidget(tr("Inspector"), parent)
    , m_model(model)
    , m_undoStack(undoStack)
    , m_pages(new QStackedWidget)
    , m_emptyPage(new QLabel)
    , m_servicePage(new QScrollArea)
    , m_upstreamPage(nullptr)
    , m_meshPage(new QScrollArea)
    , m_meshForm(new MeshSettingsForm(model, undoStack))
{
    setObjectName(QStringLiteral("inspectorDock"));
    auto *empty = static_cast<QLabel *>(m_emptyPage);
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setEnabled(false);
    empty->setMargin(12);

    m_servicePage->setWidget(buildServiceForm());
    m_servicePage->setWidgetResizable(true);
    m_servicePage->setFrameShape(QFrame::NoFrame);
    m_upstreamPage = buildUpstreamForm();

    m_pages->addWidget(m_emptyPage);
    m_pages->addWidget(m_servicePage);
    m_pages->addWidget(m_upstreamPage);
    m_meshPage->setWidget(m_meshForm);
    m_meshPage->setWidgetResizable(true);
    m_meshPage->setFrameShape(QFrame::NoFrame);
    m_pages->addWidget(m_meshPage);
    setWidget(m_pages);
    showNothing();

    using mesh::model::TopologyModel;
    connect(&m_model, &TopologyModel::serviceChanged, this, [this](const mesh::model::ServiceId &id) {
        if (id == m_service)
            reload();
        else if (!m_upstream.isNull())
            refreshDestinations(); // a destination's name may have changed
    });
    connect(&m_model, &TopologyModel::upstreamChanged, this, [this](const mesh::model::UpstreamId &id) {
        if (id == m_upstream)
            reload();
    });
    connect(&m_model, &TopologyModel::serviceAboutToBeRemoved, this, [this](const mesh::model::ServiceId &id) {
        if (id == m_service)
            showNothing();
    });
    connect(&m_model, &TopologyModel::upstreamAboutToBeRemoved, this, [this](const mesh::model::UpstreamId &id) {
        if (id == m_upstream)
            showNothing();
    });
    connect(&m_model, &TopologyModel::serviceAdded, this, [this] {
        if (!m_upstream.isNull())
            refreshDestinations();
    });
    connect(&m_model, &TopologyModel::serviceRemoved, this, [this] {
        if (!m_upstream.isNull())
            refreshDestinations();
    });
    connect(&m_model, &TopologyModel::modelReset, this, [this] { showNothing(); });
}

InspectorDock::~InspectorDock() = default;

void InspectorDock::addServiceField(const QString &key, QWidget *widget, std::function<void()> load,
                                    std::function<void(Service &)> store, const QString &toolTip)
{
    widget->setObjectName(objectNameFor(key));
    widget->setToolTip(toolTip);
    m_serviceFields.append({key, widget, std::move(load), std::move(store), {}, toolTip});
}

void InspectorDock::addUpstreamField(const QString &key, QWidget *widget, std::function<void()> load,
                                     std::function<void(Upstream &)> store, const QString &toolTip)
{
    widget->setObjectName(objectNameFor(key));
    widget->setToolTip(toolTip);
    m_upstreamFields.append({key, widget, std::move(load), {}, std::move(store), toolTip});
}

QTableWidget *InspectorDock::keyValueTable(const QString &key, const QStringList &headers)
{
    auto *table = new QTableWidget(0, int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->setVisible(false);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    table->setMinimumHeight(90);
    table->setTabKeyNavigation(false); // Tab leaves the table, as in a form
    table->setWordWrap(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table->horizontalHeader()->setDefaultSectionSize(110);
    connect(table, &QTableWidget::itemChanged, this, [this, key] { commit(key); });
    return table;
}

QWidget *InspectorDock::withButtons(QTableWidget *table)
{
    auto *add = new QToolButton;
    add->setText(tr("Add"));
    add->setToolTip(tr("Add a row"));
    connect(add, &QToolButton::clicked, table, [table] {
        // A blank row changes nothing until it is filled (see keyValues()).
        const QSignalBlocker blocker(table);
        const int row = table->rowCount();
        table->insertRow(row);
        for (int column = 0; column < table->columnCount(); ++column)
            table->setItem(row, column, column == 0 ? new QTableWidgetItem : intItem(0));
        if (table->columnCount() == 2)
            table->setItem(row, 1, new QTableWidgetItem);
        table->setCurrentCell(row, 0);
        table->setFocus(Qt::OtherFocusReason);
        table->editItem(table->item(row, 0));
    });
    auto *remove = new QToolButton;
    remove->setText(tr("Remove"));
    remove->setToolTip(tr("Remove the selected rows"));
    connect(remove, &QToolButton::clicked, table, [table] {
        QList<int> rows;
        for (const QModelIndex &index : table->selectionModel()->selectedRows())
            rows.append(index.row());
        if (rows.isEmpty() && table->currentRow() >= 0)
            rows.append(table->currentRow());
        std::sort(rows.begin(), rows.end(), std::greater<>());
        if (rows.isEmpty())
            return;
        {
            const QSignalBlocker blocker(table);
            for (int row : std::as_const(rows))
                table->removeRow(row);
        }
        // One itemChanged-equivalent for the whole removal: one undo step.
        Q_EMIT table->itemChanged(nullptr);
    });
    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addStretch();
    buttons->addWidget(add);
    buttons->addWidget(remove);
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(table);
    layout->addLayout(buttons);
    return box;
}

QWidget *InspectorDock::buildServiceForm()
{
    const auto current = [this]() -> const Service & {
        static const Service none;
        const Service *s = m_model.service(m_service);
        return s ? *s : none;
    };
    const auto text = [this, current](QFormLayout *form, const QString &label, const QString &key,
                                      QString Service::*member, const QString &toolTip) {
        auto *edit = new QLineEdit;
        edit->setAccessibleName(label);
        addServiceField(
            key, edit, [edit, current, member] { edit->setText(current().*member); },
            [edit, member](Service &s) { s.*member = edit->text(); }, toolTip);
        connect(edit, &QLineEdit::textEdited, this, [this, key] { commit(key); });
        form->addRow(label, edit);
    };
    const auto spin = [this](QFormLayout *form, const QString &label, const QString &key, QSpinBox *box,
                             std::function<int()> get, std::function<void(Service &, int)> set,
                             const QString &toolTip) {
        box->setAccessibleName(label);
        addServiceField(
            key, box, [box, get] { box->setValue(get()); }, [box, set](Service &s) { set(s, box->value()); }, toolTip);
        connect(box, &QSpinBox::valueChanged, this, [this, key] { commit(key); });
        form->addRow(label, box);
    };
    const auto combo = [this](QFormLayout *form, const QString &label, const QString &key, QComboBox *box,
                              std::function<QString()> get, std::function<void(Service &, const QString &)> set,
                              const QString &toolTip) {
        box->setAccessibleName(label);
        addServiceField(
            key, box, [box, get] { selectData(box, get()); },
            [box, set](Service &s) { set(s, box->currentData().toString()); }, toolTip);
        connect(box, &QComboBox::currentIndexChanged, this, [this, key] { commit(key); });
        form->addRow(label, box);
    };
    const auto group = [](const QString &title, QVBoxLayout *into) {
        auto *box = new QGroupBox(title);
        auto *form = new QFormLayout(box);
        form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        into->addWidget(box);
        return form;
    };

    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);

    QFormLayout *consul = group(tr("Consul service"), layout);
    text(consul, tr("Name"), u"name"_qs, &Service::name,
         tr("The Consul service name: a DNS label (lowercase letters, digits, '-')"));
    text(consul, tr("Port"), u"port"_qs, &Service::port,
         tr("The port the application listens on: a number, or the label of one of the ports below"));
    {
        auto *sidecar = new QCheckBox(tr("Connect sidecar"));
        sidecar->setAccessibleName(tr("Connect sidecar"));
        addServiceField(
            u"sidecar"_qs, sidecar, [sidecar, current] { sidecar->setChecked(current().connectSidecar); },
            [sidecar](Service &s) { s.connectSidecar = sidecar->isChecked(); },
            tr("Run an Envoy sidecar (connect { sidecar_service {} }) so the service joins the mesh"));
        connect(sidecar, &QCheckBox::toggled, this, [this] { commit(u"sidecar"_qs); });
        consul->addRow(QString(), sidecar);
    }
    {
        auto *tags = new QLineEdit;
        tags->setAccessibleName(tr("Tags"));
        tags->setPlaceholderText(tr("comma-separated"));
        addServiceField(
            u"tags"_qs, tags, [tags, current] { tags->setText(current().tags.join(u", ")); },
            [tags](Service &s) { s.tags = splitList(tags->text()); }, tr("Consul tags"));
        connect(tags, &QLineEdit::textEdited, this, [this] { commit(u"tags"_qs); });
        consul->addRow(tr("Tags"), tags);
    }
    {
        QTableWidget *meta = keyValueTable(u"meta"_qs, {tr("Key"), tr("Value")});
        meta->setAccessibleName(tr("Meta"));
        addServiceField(
            u"meta"_qs, meta, [meta, current] { setKeyValues(meta, current().meta); },
            [meta](Service &s) { s.meta = keyValues(meta); }, tr("Consul service meta"));
        consul->addRow(tr("Meta"), withButtons(meta));
    }

    QFormLayout *nomad = group(tr("Nomad"), layout);
    text(nomad, tr("Job"), u"job"_qs, &Service::job, tr("Services sharing a job become groups of one Nomad job"));
    text(nomad, tr("Group"), u"group"_qs, &Service::group, tr("The task group (lowercase with a Connect sidecar)"));
    text(nomad, tr("Task"), u"task"_qs, &Service::task, tr("The task running the application"));
    spin(
        nomad, tr("Count"), u"count"_qs, spinBox(0, 1000), [current] { return current().count; },
        [](Service &s, int v) { s.count = v; }, tr("How many instances Nomad runs"));
    combo(
        nomad, tr("Driver"), u"driver"_qs,
        comboOf({{u"exec"_qs, u"exec"_qs}, {u"raw_exec"_qs, u"raw_exec"_qs}, {u"docker"_qs, u"docker"_qs}}),
        [current] { return toString(current().driver); },
        [](Service &s, const QString &v) { s.driver = mesh::model::driverFromString(v).value_or(s.driver); },
        tr("The Nomad task driver"));
    text(nomad, tr("Command"), u"command"_qs, &Service::command, tr("The program exec and raw_exec run"));
    {
        auto *args = new QLineEdit;
        args->setAccessibleName(tr("Arguments"));
        args->setPlaceholderText(tr("space-separated; quote with \"…\""));
        addServiceField(
            u"args"_qs, args, [args, current] { args->setText(joinArgs(current().args)); },
            [args](Service &s) { s.args = QProcess::splitCommand(args->text()); }, tr("Arguments of the command"));
        connect(args, &QLineEdit::textEdited, this, [this] { commit(u"args"_qs); });
        nomad->addRow(tr("Arguments"), args);
    }
    text(nomad, tr("Image"), u"image"_qs, &Service::image, tr("The container image the docker driver runs"));
    {
        QTableWidget *env = keyValueTable(u"env"_qs, {tr("Name"), tr("Value")});
        env->setAccessibleName(tr("Environment"));
        addServiceField(
            u"env"_qs, env, [env, current] { setKeyValues(env, current().env); },
            [env](Service &s) { s.env = keyValues(env); },
            tr("Environment of the task; ${NOMAD_UPSTREAM_ADDR_<name>} reaches an upstream"));
        nomad->addRow(tr("Environment"), withButtons(env));
    }
    spin(
        nomad, tr("CPU"), u"resources.cpuMhz"_qs, spinBox(0, 100000, u" MHz"_qs),
        [current] { return current().resources.cpuMhz; }, [](Service &s, int v) { s.resources.cpuMhz = v; },
        tr("0 leaves Nomad's default (100 MHz)"));
    spin(
        nomad, tr("Memory"), u"resources.memoryMb"_qs, spinBox(0, 1000000, u" MB"_qs),
        [current] { return current().resources.memoryMb; }, [](Service &s, int v) { s.resources.memoryMb = v; },
        tr("0 leaves Nomad's default (300 MB)"));

    QFormLayout *network = group(tr("Network"), layout);
    combo(
        network, tr("Mode"), u"networkMode"_qs, comboOf({{u"bridge"_qs, u"bridge"_qs}, {u"host"_qs, u"host"_qs}}),
        [current] { return toString(current().networkMode); },
        [](Service &s, const QString &v) {
            s.networkMode = mesh::model::networkModeFromString(v).value_or(s.networkMode);
        },
        tr("Connect sidecars need bridge mode"));
    {
        QTableWidget *ports = keyValueTable(u"ports"_qs, {tr("Label"), tr("To"), tr("Static")});
        ports->setAccessibleName(tr("Ports"));
        addServiceField(
            u"ports"_qs, ports,
            [ports, current] {
                const QList<PortMapping> &list = current().ports;
                ports->setRowCount(int(list.size()));
                for (int row = 0; row < list.size(); ++row) {
                    ports->setItem(row, 0, new QTableWidgetItem(list.at(row).label));
                    ports->setItem(row, 1, intItem(list.at(row).to));
                    ports->setItem(row, 2, intItem(list.at(row).staticPort));
                }
            },
            [ports](Service &s) {
                s.ports.clear();
                for (int row = 0; row < ports->rowCount(); ++row) {
                    const PortMapping p{ports->item(row, 0) ? ports->item(row, 0)->text() : QString(),
                                        intAt(ports, row, 1), intAt(ports, row, 2)};
                    if (!p.label.isEmpty() || p.to != 0 || p.staticPort != 0)
                        s.ports.append(p);
                }
            },
            tr("Group ports: label, port inside the allocation (to) and static host port (0 = dynamic)"));
        network->addRow(tr("Ports"), withButtons(ports));
    }

    QFormLayout *check = group(tr("Health check"), layout);
    combo(
        check, tr("Type"), u"check.kind"_qs,
        comboOf({{tr("none"), u"none"_qs}, {u"http"_qs, u"http"_qs}, {u"tcp"_qs, u"tcp"_qs}}),
        [current] { return toString(current().check.kind); },
        [](Service &s, const QString &v) { s.check.kind = mesh::model::checkKindFromString(v).value_or(s.check.kind); },
        tr("The Consul check of the service"));
    {
        auto *path = new QLineEdit;
        path->setAccessibleName(tr("Check path"));
        addServiceField(
            u"check.path"_qs, path, [path, current] { path->setText(current().check.path); },
            [path](Service &s) { s.check.path = path->text(); }, tr("HTTP checks GET this path"));
        connect(path, &QLineEdit::textEdited, this, [this] { commit(u"check.path"_qs); });
        check->addRow(tr("Path"), path);
    }
    spin(
        check, tr("Interval"), u"check.intervalMs"_qs, spinBox(0, 3600000, u" ms"_qs),
        [current] { return current().check.intervalMs; }, [](Service &s, int v) { s.check.intervalMs = v; },
        tr("Time between checks"));
    spin(
        check, tr("Timeout"), u"check.timeoutMs"_qs, spinBox(0, 3600000, u" ms"_qs),
        [current] { return current().check.timeoutMs; }, [](Service &s, int v) { s.check.timeoutMs = v; },
        tr("How long a check may take"));

    layout->addStretch();
    return page;
}

QWidget *InspectorDock::buildUpstreamForm()
{
    const auto current = [this]() -> const Upstream & {
        static const Upstream none;
        const Upstream *u = m_model.upstream(m_upstream);
        return u ? *u : none;
    };
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *box = new QGroupBox(tr("Upstream"));
    auto *form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addWidget(box);
    layout->addStretch();

    auto *from = new QLabel;
    from->setObjectName(u"field_from"_qs);
    from->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("From"), from);

    m_destination = new QComboBox;
    m_destination->setAccessibleName(tr("Destination"));
    addUpstreamField(
        u"to"_qs, m_destination,
        [this, from, current] {
            const Service *down = m_model.service(current().downstream);
            from->setText(down ? down->name : current().downstream.value);
            refreshDestinations();
        },
        [this](Upstream &u) {
            const QString id = m_destination->currentData().toString();
            if (!id.isEmpty())
                u.destination = {id};
        },
        tr("The service this one calls"));
    connect(m_destination, &QComboBox::currentIndexChanged, this, [this] { commit(u"to"_qs); });
    form->addRow(tr("Destination"), m_destination);

    auto *address = new QLineEdit;
    address->setAccessibleName(tr("Local bind address"));
    address->setPlaceholderText(u"127.0.0.1"_qs);
    addUpstreamField(
        u"localBindAddress"_qs, address, [address, current] { address->setText(current().localBindAddress); },
        [address](Upstream &u) { u.localBindAddress = address->text(); },
        tr("Where the sidecar listens for this upstream; empty = 127.0.0.1"));
    connect(address, &QLineEdit::textEdited, this, [this] { commit(u"localBindAddress"_qs); });
    form->addRow(tr("Local bind address"), address);

    auto *port = spinBox(0, 65535);
    port->setAccessibleName(tr("Local bind port"));
    addUpstreamField(
        u"localBindPort"_qs, port, [port, current] { port->setValue(current().localBindPort); },
        [port](Upstream &u) { u.localBindPort = port->value(); },
        tr("The application reaches the destination at this local port"));
    connect(port, &QSpinBox::valueChanged, this, [this] { commit(u"localBindPort"_qs); });
    form->addRow(tr("Local bind port"), port);

    QComboBox *action = comboOf({{tr("allow"), u"allow"_qs}, {tr("deny"), u"deny"_qs}});
    action->setAccessibleName(tr("Intention"));
    addUpstreamField(
        u"action"_qs, action, [action, current] { selectData(action, toString(current().action)); },
        [action](Upstream &u) {
            u.action = mesh::model::intentionActionFromString(action->currentData().toString()).value_or(u.action);
        },
        tr("The Consul intention from the downstream to the destination"));
    connect(action, &QComboBox::currentIndexChanged, this, [this] { commit(u"action"_qs); });
    form->addRow(tr("Intention"), action);
    return page;
}

void InspectorDock::refreshDestinations()
{
    const Upstream *u = m_model.upstream(m_upstream);
    if (!u || !m_destination)
        return;
    const bool wasLoading = m_loading;
    m_loading = true;
    const QSignalBlocker blocker(m_destination);
    m_destination->clear();
    for (const Service &s : m_model.topology().services) {
        if (s.id != u->downstream)
            m_destination->addItem(s.name.isEmpty() ? s.id.value : s.name, s.id.value);
    }
    if (!m_model.service(u->destination))
        m_destination->addItem(tr("%1 (missing)").arg(u->destination.value), u->destination.value);
    m_destination->setCurrentIndex(m_destination->findData(u->destination.value));
    m_loading = wasLoading;
}

void InspectorDock::showService(const mesh::model::ServiceId &id)
{
    if (!m_model.service(id)) {
        showNothing();
        return;
    }
    m_service = id;
    m_upstream = {};
    const Service *s = m_model.service(id);
    setWindowTitle(tr("Inspector — %1").arg(s->name));
    m_pages->setCurrentWidget(m_servicePage);
    for (const Field &field : std::as_const(m_serviceFields)) {
        const QSignalBlocker blocker(field.widget);
        m_loading = true;
        field.load();
        m_loading = false;
    }
    markProblems();
}

void InspectorDock::showUpstream(const mesh::model::UpstreamId &id)
{
    if (!m_model.upstream(id)) {
        showNothing();
        return;
    }
    m_upstream = id;
    m_service = {};
    setWindowTitle(tr("Inspector — upstream"));
    m_pages->setCurrentWidget(m_upstreamPage);
    for (const Field &field : std::as_const(m_upstreamFields)) {
        const QSignalBlocker blocker(field.widget);
        m_loading = true;
        field.load();
        m_loading = false;
    }
    markProblems();
}

void InspectorDock::showNothing(int count)
{
    m_service = {};
    m_upstream = {};
    setWindowTitle(tr("Inspector"));
    if (count > 1) {
        static_cast<QLabel *>(m_emptyPage)->setText(tr("%1 items selected.").arg(count));
        m_pages->setCurrentWidget(m_emptyPage);
    } else {
        setWindowTitle(tr("Inspector — mesh"));
        m_pages->setCurrentWidget(m_meshPage);
    }
}

template<class Command, class Value>
bool InspectorDock::commitField(const Value &current, const QList<Field> &fields,
                                std::function<void(Value &)> Field::*store, const QString &key)
{
    for (const Field &field : fields) {
        if (field.key != key)
            continue;
        Value after = current;
        (field.*store)(after);
        if (!(after == current))
            m_undoStack.push(new Command(m_model, std::move(after), key));
        return true;
    }
    return false;
}

void InspectorDock::commit(const QString &key)
{
    if (m_loading)
        return;
    if (const Service *current = m_model.service(m_service);
        current && commitField<UpdateServiceCommand>(*current, m_serviceFields, &Field::storeService, key))
        return;
    if (const Upstream *current = m_model.upstream(m_upstream))
        commitField<UpdateUpstreamCommand>(*current, m_upstreamFields, &Field::storeUpstream, key);
}

void InspectorDock::reload()
{
    const auto &fields = m_service.isNull() ? m_upstreamFields : m_serviceFields;
    for (const Field &field : fields)
        reloadField(field);
    if (const Service *s = m_model.service(m_service))
        setWindowTitle(tr("Inspector — %1").arg(s->name));
    markProblems();
}

void InspectorDock::reloadField(const Field &field)
{
    // A widget that already means the model's value is left alone: that is
    // the field being typed in (its edit just reached the model), and its
    // text may differ in form only ("a,  b" for tags a, b).
    if (const Service *current = m_model.service(m_service); current && field.storeService) {
        Service viaWidget = *current;
        field.storeService(viaWidget);
        if (viaWidget == *current)
            return;
    } else if (const Upstream *up = m_model.upstream(m_upstream); up && field.storeUpstream) {
        Upstream viaWidget = *up;
        field.storeUpstream(viaWidget);
        if (viaWidget == *up)
            return;
    } else {
        return;
    }
    const QSignalBlocker blocker(field.widget);
    m_loading = true;
    field.load();
    m_loading = false;
}

void InspectorDock::setProblems(const mesh::model::Problems &problems)
{
    m_problems = problems;
    markProblems();
    m_meshForm->setProblems(problems);
}

const InspectorDock::Field *InspectorDock::fieldFor(const QString &problemField) const
{
    const QList<Field> &fields = m_service.isNull() ? m_upstreamFields : m_serviceFields;
    QString key = problemField;
    // Rows of a table or list belong to the table's field.
    static const QRegularExpression row(QStringLiteral("^(env|meta)\\.|^(ports|tags|args)\\["));
    if (const QRegularExpressionMatch m = row.match(problemField); m.hasMatch())
        key = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
    if (!m_upstream.isNull() && key == u"from")
        key = u"to"_qs; // no editor for the start; the destination is beside it
    for (const Field &field : fields) {
        if (field.key == key)
            return &field;
    }
    return nullptr;
}

void InspectorDock::markProblems()
{
    QHash<const Field *, QStringList> messages;
    for (const Problem &p : std::as_const(m_problems)) {
        const bool concerns = m_service.isNull() ? (!m_upstream.isNull() && p.upstream == m_upstream)
                                                 : (p.service == m_service && p.upstream.isNull());
        if (!concerns)
            continue;
        if (const Field *field = fieldFor(p.field))
            messages[field].append(p.message);
    }
    const QList<Field> &fields = m_service.isNull() ? m_upstreamFields : m_serviceFields;
    for (const Field &field : fields) {
        markField(field.widget, messages.value(&field), field.toolTip);
    }
}

QWidget *InspectorDock::fieldWidget(const QString &field) const
{
    if (m_service.isNull() && m_upstream.isNull())
        return m_meshForm->fieldWidget(field);
    const Field *f = fieldFor(field);
    return f ? f->widget : nullptr;
}

bool InspectorDock::focusField(const QString &problemField)
{
    if (m_service.isNull() && m_upstream.isNull()) {
        if (!m_meshForm->focusField(problemField))
            return false;
        m_meshPage->ensureWidgetVisible(m_meshForm->fieldWidget(problemField));
        return true;
    }
    const Field *field = fieldFor(problemField);
    if (!field)
        return false;
    QWidget *widget = field->widget;
    if (!m_service.isNull())
        m_servicePage->ensureWidgetVisible(widget);
    if (auto *table = qobject_cast<QTableWidget *>(widget)) {
        // "env.PORT" → the PORT row; "ports[1].to" → row 1, column "to".
        static const QRegularExpression indexed(QStringLiteral("^\\w+\\[(\\d+)\\](?:\\.(\\w+))?$"));
        int row = -1;
        int column = 0;
        if (const QRegularExpressionMatch m = indexed.match(problemField); m.hasMatch()) {
            row = m.captured(1).toInt();
            column = m.captured(2) == u"to" ? 1 : m.captured(2) == u"static" ? 2 : 0;
        } else if (const qsizetype dot = problemField.indexOf(u'.'); dot > 0) {
            const QString key = problemField.mid(dot + 1);
            for (int r = 0; r < table->rowCount() && row < 0; ++r) {
                if (table->item(r, 0) && table->item(r, 0)->text() == key)
                    row = r;
            }
            column = 1;
        }
        if (row >= 0 && row < table->rowCount())
            table->setCurrentCell(row, column);
    }
    widget->setFocus(Qt::OtherFocusReason);
    if (auto *edit = qobject_cast<QLineEdit *>(widget))
        edit->selectAll();
    else if (auto *spin = qobject_cast<QSpinBox *>(widget))
        spin->selectAll();
    return true;
}

} // namespace meshpad::gui
