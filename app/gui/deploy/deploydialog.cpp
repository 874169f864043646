#include "deploydialog.h"

#include "deploy/deployprogress.h"
#include "deploy/plantreebuilder.h"
#include "deploy/targeteditor.h"

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "mainwindow.h"

#include "api/canceltoken.h"
#include "consul/consulclient.h"
#include "deploy/deployer.h"
#include "deploy/deployevent.h"
#include "deploy/desiredstate.h"
#include "deploy/planner.h"
#include "deploy/plantext.h"
#include "deploy/targetprofiles.h"
#include "importer/clusterimport.h"
#include "lab/lab.h"
#include "model/topologymodel.h"
#include "model/validator.h"
#include "nomad/nomadclient.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLoggingCategory>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTextDocumentFragment>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <QCoro/QCoroTask>

namespace meshpad::gui {

Q_LOGGING_CATEGORY(lcDeployDialog, "meshpad.deploy.gui")

using mesh::deploy::DeployEvent;
using mesh::deploy::DeployOutcome;
using mesh::deploy::DeployPlan;
using mesh::deploy::DeployTarget;

// The clients and the deployer of one target, alive as long as a task uses
// them — which may be longer than the dialog: a coroutine suspended in a
// request resumes only when the request ends, and must find its clients.
// Owned by shared_ptrs (the dialog's and each running task's); the last one
// lets go with deleteLater(), as a client may be mid-signal then.
class DeployDialog::Session final : public QObject
{
public:
    Session(const mesh::api::ApiEndpoint &consulEndpoint, const mesh::api::ApiEndpoint &nomadEndpoint)
        : consul(new mesh::consul::ConsulClient(consulEndpoint, this))
        , nomad(new mesh::nomad::NomadClient(nomadEndpoint, this))
        , deployer(new mesh::deploy::Deployer(consul, nomad, this))
        , cancel(new mesh::api::CancelToken(this))
    {
    }

    mesh::consul::ConsulClient *consul;
    mesh::nomad::NomadClient *nomad;
    mesh::deploy::Deployer *deployer;
    mesh::api::CancelToken *cancel;
};

namespace {

constexpr char kLastTargetKey[] = "deploy/lastTarget";

// The tasks take their session by value, so it lives in their frame.
QCoro::Task<mesh::Result<DeployPlan>> runPlan([[maybe_unused]] std::shared_ptr<QObject> keep,
                                              mesh::consul::ConsulClient *consul, mesh::nomad::NomadClient *nomad,
                                              mesh::deploy::DesiredState desired, bool teardown,
                                              QPointer<mesh::api::CancelToken> cancel)
{
    mesh::deploy::Planner planner(consul, nomad);
    co_return co_await planner.plan(std::move(desired), teardown, cancel);
}

QCoro::Task<mesh::Result<DeployOutcome>> runApply([[maybe_unused]] std::shared_ptr<QObject> keep,
                                                  mesh::deploy::Deployer *deployer, DeployPlan plan)
{
    co_return co_await deployer->apply(std::move(plan));
}

QCoro::Task<mesh::Result<mesh::importer::JobImporter::Result>> runImport([[maybe_unused]] std::shared_ptr<QObject> keep,
                                                                         mesh::consul::ConsulClient *consul,
                                                                         mesh::nomad::NomadClient *nomad,
                                                                         mesh::importer::ClusterImport::Options options)
{
    mesh::importer::ClusterImport import(consul, nomad);
    co_return co_await import.run(std::move(options));
}

QString link(const QString &url)
{
    return u"<a href=\"%1\">%1</a>"_qs.arg(url.toHtmlEscaped());
}

} // namespace

DeployDialog::DeployDialog(Mode mode, MainWindow &window)
    : QDialog(&window)
    , m_mode(mode)
    , m_window(window)
    , m_scene(window.canvas()->canvasScene())
    , m_tokens(new TokenStore(this))
    , m_targetBox(new QComboBox)
    , m_newButton(new QPushButton(tr("&New…")))
    , m_editButton(new QPushButton(tr("&Edit…")))
    , m_planButton(new QPushButton(tr("&Plan")))
    , m_status(new QLabel)
    , m_summary(new QLabel)
    , m_planTree(new QTreeWidget)
    , m_progress(new DeployProgress)
    , m_result(new QLabel)
    , m_applyButton(new QPushButton(mode == Mode::Teardown ? tr("&Remove") : tr("&Deploy")))
    , m_cancelButton(new QPushButton(tr("Cancel")))
    , m_closeButton(new QPushButton(tr("Close")))
{
    switch (mode) {
    case Mode::Deploy:
        setObjectName(u"deployDialog"_qs);
        setWindowTitle(tr("Deploy %1").arg(designName()));
        break;
    case Mode::Teardown:
        setObjectName(u"teardownDialog"_qs);
        setWindowTitle(tr("Teardown %1").arg(designName()));
        break;
    case Mode::Import:
        setObjectName(u"importClusterDialog"_qs);
        setWindowTitle(tr("Import from Cluster"));
        break;
    }
    setSizeGripEnabled(true);

    m_targetBox->setObjectName(u"targetBox"_qs);
    m_targetBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_targetBox->setMinimumContentsLength(40);
    m_newButton->setObjectName(u"newTargetButton"_qs);
    m_editButton->setObjectName(u"editTargetButton"_qs);
    m_planButton->setObjectName(u"planButton"_qs);
    m_planButton->setToolTip(tr("Ask the target what this would change; nothing is written"));
    if (mode == Mode::Import) {
        m_planButton->setText(tr("&Import"));
        m_planButton->setToolTip(tr("Read the target's jobs and intentions into a design; nothing is written"));
    }
    auto *targetRow = new QHBoxLayout;
    auto *targetLabel = new QLabel(tr("&Target:"));
    targetLabel->setBuddy(m_targetBox);
    targetRow->addWidget(targetLabel);
    targetRow->addWidget(m_targetBox, 1);
    targetRow->addWidget(m_newButton);
    targetRow->addWidget(m_editButton);
    targetRow->addWidget(m_planButton);

    m_status->setObjectName(u"statusLabel"_qs);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setObjectName(u"summaryLabel"_qs);
    m_summary->setWordWrap(true);

    m_planTree->setObjectName(u"planTree"_qs);
    m_planTree->setHeaderHidden(true);
    m_planTree->setUniformRowHeights(true);
    m_planTree->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_progress->hide();

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_planTree);
    split->addWidget(m_progress);
    split->setChildrenCollapsible(false);

    m_result->setObjectName(u"resultLabel"_qs);
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::RichText);
    m_result->setOpenExternalLinks(true);
    m_result->setTextInteractionFlags(Qt::TextBrowserInteraction);

    m_applyButton->setObjectName(u"applyButton"_qs);
    m_cancelButton->setObjectName(u"cancelButton"_qs);
    m_cancelButton->setToolTip(mode == Mode::Import ? tr("Stop reading the target")
                                                    : tr("Stop planning, or stop watching (the deployment goes on)"));
    m_closeButton->setObjectName(u"closeButton"_qs);
    auto *buttons = new QDialogButtonBox;
    buttons->addButton(m_applyButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancelButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_closeButton, QDialogButtonBox::RejectRole);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(targetRow);
    layout->addWidget(m_status);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);
    layout->addWidget(m_result);
    layout->addWidget(buttons);
    if (mode == Mode::Import) {
        // Nothing to plan or apply: the target row, what it is doing, Cancel.
        m_summary->hide();
        split->hide();
        m_result->hide();
        m_applyButton->hide();
        m_busyBar = new QProgressBar;
        m_busyBar->setObjectName(u"busyBar"_qs);
        m_busyBar->setRange(0, 0);
        m_busyBar->setTextVisible(false);
        layout->insertWidget(layout->indexOf(m_status) + 1, m_busyBar);
        layout->insertStretch(layout->indexOf(buttons), 1);
    }

    connect(m_targetBox, &QComboBox::activated, this, [this] {
        QSettings().setValue(QString::fromLatin1(kLastTargetKey), currentTarget());
        // A plan is harmless to make at once; an import changes the design,
        // so it waits for the button.
        if (m_mode != Mode::Import)
            planNow();
    });
    connect(m_targetBox, &QComboBox::currentIndexChanged, this, [this] {
        m_editButton->setEnabled(m_stage != Stage::Applying
                                 && mesh::deploy::TargetProfiles::find(m_profiles, currentTarget()).has_value());
    });
    connect(m_newButton, &QPushButton::clicked, this, &DeployDialog::newTarget);
    connect(m_editButton, &QPushButton::clicked, this, &DeployDialog::editTarget);
    connect(m_planButton, &QPushButton::clicked, this, &DeployDialog::planNow);
    connect(m_applyButton, &QPushButton::clicked, this, &DeployDialog::applyPlan);
    connect(m_cancelButton, &QPushButton::clicked, this, &DeployDialog::cancel);
    connect(m_closeButton, &QPushButton::clicked, this, &DeployDialog::close);
    connect(m_tokens, &TokenStore::tokensRead, this, &DeployDialog::tokensRead);
    connect(m_tokens, &TokenStore::tokensWritten, this, [this](const QString &profile, const QString &error) {
        if (!error.isEmpty())
            setStatus(tr("Token of \"%1\" not saved: %2 — it is kept until Meshpad quits; set CONSUL_HTTP_TOKEN / "
                         "NOMAD_TOKEN for later sessions.")
                          .arg(profile, error),
                      true);
    });

    mesh::lab::Lab &lab = m_window.lab();
    connect(&lab, &mesh::lab::Lab::started, this, &DeployDialog::labStarted);
    connect(&lab, &mesh::lab::Lab::startFailed, this, [this](const QString &error) {
        if (m_stage == Stage::StartingLab)
            fail(tr("The lab did not start: %1").arg(error));
    });
    connect(&lab, &mesh::lab::Lab::stopped, this, [this] {
        if (m_stage == Stage::StartingLab)
            fail(tr("The lab stopped before it was up."));
    });
    m_labTimeout.setSingleShot(true);
    m_labTimeout.setInterval(kLabStartTimeoutMs);
    connect(&m_labTimeout, &QTimer::timeout, this, [this] {
        if (m_stage == Stage::StartingLab)
            fail(tr("The lab did not come up within %1 s.").arg(kLabStartTimeoutMs / 1000));
    });

    loadTargets(QSettings().value(QString::fromLatin1(kLastTargetKey), u"lab"_qs).toString());
    setStage(Stage::Idle);
    switch (mode) {
    case Mode::Deploy:
        setStatus(tr("Pick a target and press Plan to see what deploying \"%1\" would change.").arg(designName()));
        resize(900, 720);
        break;
    case Mode::Teardown:
        setStatus(tr("Pick a target and press Plan to see what removing \"%1\" would take away.").arg(designName()));
        resize(900, 720);
        break;
    case Mode::Import:
        setStatus(tr("Pick a target and press Import to draw its service jobs and intentions."));
        resize(760, 200);
        break;
    }
}

DeployDialog::~DeployDialog()
{
    stopEverything();
}

QString DeployDialog::designName() const
{
    const QString name = m_window.model().topology().name;
    return name.isEmpty() ? QFileInfo(m_window.windowFilePath()).completeBaseName() : name;
}

void DeployDialog::loadTargets(const QString &select)
{
    m_targetBox->clear();
    const DeployTarget environment = DeployTarget::environment();
    m_targetBox->addItem(tr("lab — the embedded lab (started on demand)"), u"lab"_qs);
    m_targetBox->addItem(tr("environment — Consul %1, Nomad %2 (CONSUL_HTTP_ADDR, NOMAD_ADDR)")
                             .arg(environment.consul.address, environment.nomad.address),
                         u"environment"_qs);
    m_targetBox->addItem(
        tr("hashibox — the generated Vagrant cluster (%1)").arg(DeployTarget::hashibox().consul.address),
        u"hashibox"_qs);
    const mesh::Result<QList<DeployTarget>> profiles = mesh::deploy::TargetProfiles::load();
    if (profiles) {
        m_profiles = *profiles;
    } else {
        m_profiles.clear();
        setStatus(tr("Saved targets not read: %1").arg(profiles.error().message), true);
    }
    for (const DeployTarget &profile : std::as_const(m_profiles))
        m_targetBox->addItem(
            tr("%1 — Consul %2, Nomad %3").arg(profile.name, profile.consul.address, profile.nomad.address),
            profile.name);
    if (!selectTarget(select))
        m_targetBox->setCurrentIndex(0);
}

bool DeployDialog::selectTarget(const QString &name)
{
    const int index = m_targetBox->findData(name);
    if (index < 0)
        return false;
    m_targetBox->setCurrentIndex(index);
    return true;
}

QString DeployDialog::currentTarget() const
{
    return m_targetBox->currentData().toString();
}

void DeployDialog::setStage(Stage stage)
{
    m_stage = stage;
    const bool busy = stage == Stage::StartingLab || stage == Stage::ReadingTokens || stage == Stage::Planning
                      || stage == Stage::Applying;
    m_targetBox->setEnabled(!busy);
    m_newButton->setEnabled(!busy);
    m_editButton->setEnabled(!busy && mesh::deploy::TargetProfiles::find(m_profiles, currentTarget()).has_value());
    m_planButton->setEnabled(!busy);
    m_applyButton->setEnabled(stage == Stage::Planned && m_plan && m_plan->hasChanges() && !m_plan->hasConflicts());
    m_cancelButton->setEnabled(busy);
    if (m_busyBar)
        m_busyBar->setVisible(busy);
    if (stage == Stage::Planned && m_applyButton->isEnabled())
        m_applyButton->setDefault(true);
    else if (!busy)
        m_planButton->setDefault(true);
    Q_EMIT stageChanged(stage);
}

void DeployDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #cf222e"_qs : QString());
}

void DeployDialog::fail(const QString &text)
{
    ++m_generation;
    m_labTimeout.stop();
    setStatus(text, true);
    if (m_progress->isVisible())
        m_progress->appendLog(text);
    setStage(m_plan && m_stage == Stage::Applying ? Stage::Done : Stage::Idle);
}

void DeployDialog::planNow()
{
    if (m_stage == Stage::Applying)
        return;
    ++m_generation;
    m_plan.reset();
    m_target.reset();
    m_urls.clear();
    m_planTree->clear();
    m_summary->clear();
    m_result->clear();
    m_progress->hide();
    if (m_scene)
        m_scene->clearDeployBadges();
    m_badgeStates.clear();
    m_badgeTexts.clear();

    if (m_mode == Mode::Deploy) {
        const mesh::model::Problems problems = mesh::model::Validator::validate(m_window.model().topology());
        if (mesh::model::Validator::hasErrors(problems)) {
            fail(tr("The design has errors (the Problems tab lists them); only a design without errors is "
                    "deployed."));
            return;
        }
    }
    const QString name = currentTarget();
    if (name == u"lab") {
        resolveLab();
    } else if (name == u"environment") {
        startPlan(DeployTarget::environment());
    } else if (name == u"hashibox") {
        startPlan(DeployTarget::hashibox());
    } else if (mesh::deploy::TargetProfiles::find(m_profiles, name)) {
        setStage(Stage::ReadingTokens);
        setStatus(tr("Reading the tokens of \"%1\" from the keychain…").arg(name));
        m_tokens->read(name);
    } else {
        fail(tr("No deploy target \"%1\".").arg(name));
    }
}

void DeployDialog::resolveLab()
{
    using LabState = MainWindow::LabState;
    switch (m_window.labState()) {
    case LabState::Starting:
    case LabState::Running:
        fail(m_mode == Mode::Import
                 ? tr("Stop the lab's Run first: it runs this design directly, not through its Nomad API "
                      "(Lab › Stop, Shift+F5).")
                 : tr("Stop the lab's Run first: it runs this design directly (Lab › Stop, Shift+F5). A deploy "
                      "then starts the lab as an empty cluster of its own."));
        return;
    case LabState::Stopping:
        fail(tr("The lab is stopping; press %1 again once it has stopped.").arg(m_planButton->text().remove(u'&')));
        return;
    case LabState::Serving: {
        const mesh::lab::LabSnapshot snapshot = m_window.lab().snapshot();
        if (snapshot.running && !snapshot.nodes.isEmpty() && !snapshot.nodes.constFirst().consulAddress.isEmpty()) {
            const auto &node = snapshot.nodes.constFirst();
            startPlan(DeployTarget::lab(node.consulAddress, node.nomadAddress));
            return;
        }
        break; // started, not up yet: Lab::started follows
    }
    case LabState::Idle:
        if (const mesh::Result<> started = m_window.startLabForDeploy(); !started) {
            fail(tr("The lab did not start: %1").arg(started.error().message));
            return;
        }
        break;
    }
    setStage(Stage::StartingLab);
    setStatus(tr("Starting the embedded lab (three nodes with their Consul and Nomad APIs)…"));
    m_labTimeout.start();
}

void DeployDialog::labStarted(const mesh::lab::LabSnapshot &snapshot)
{
    if (m_stage != Stage::StartingLab)
        return;
    m_labTimeout.stop();
    if (snapshot.nodes.isEmpty() || snapshot.nodes.constFirst().consulAddress.isEmpty()) {
        fail(tr("The lab did not say where its APIs listen."));
        return;
    }
    const auto &node = snapshot.nodes.constFirst();
    startPlan(DeployTarget::lab(node.consulAddress, node.nomadAddress));
}

void DeployDialog::tokensRead(const QString &profile, const TokenStore::Tokens &tokens, const QString &error)
{
    if (m_stage != Stage::ReadingTokens || profile != currentTarget())
        return;
    std::optional<DeployTarget> target = mesh::deploy::TargetProfiles::find(m_profiles, profile);
    if (!target) {
        fail(tr("No deploy target \"%1\".").arg(profile));
        return;
    }
    // A token from the keychain wins; else the environment's, as the CLI
    // takes it.
    const DeployTarget fromEnvironment = DeployTarget::environment();
    target->consul.token = tokens.consul.isEmpty() ? fromEnvironment.consul.token : tokens.consul;
    target->nomad.token = tokens.nomad.isEmpty() ? fromEnvironment.nomad.token : tokens.nomad;
    startPlan(*target);
    if (!error.isEmpty() && m_stage == Stage::Planning)
        setStatus(m_status->text() + u"\n"_qs
                  + tr("Tokens not read: %1 — using CONSUL_HTTP_TOKEN / NOMAD_TOKEN.").arg(error));
}

void DeployDialog::startPlan(DeployTarget target)
{
    auto consulEndpoint = target.consul.endpoint();
    auto nomadEndpoint = target.nomad.endpoint();
    if (!consulEndpoint || !nomadEndpoint) {
        fail(tr("Target \"%1\": %2")
                 .arg(target.name, (consulEndpoint ? nomadEndpoint.error() : consulEndpoint.error()).message));
        return;
    }
    if (m_session)
        m_session->cancel->cancel();
    m_session = std::shared_ptr<Session>(new Session(*consulEndpoint, *nomadEndpoint),
                                         [](Session *session) { session->deleteLater(); });
    m_target = target;
    if (m_mode == Mode::Import) {
        startImport();
        return;
    }
    const quint64 generation = ++m_generation;
    setStage(Stage::Planning);
    QString text = tr("Planning on %1…").arg(target.describe());
    for (const QString &warning : target.consul.warnings + target.nomad.warnings)
        text += u"\n"_qs + warning;
    setStatus(text);

    const bool teardown = m_mode == Mode::Teardown;
    const auto desired = teardown ? mesh::deploy::DesiredState::nothing(designName())
                                  : mesh::deploy::DesiredState::fromTopology(m_window.model().topology(), designName());
    QCoro::connect(runPlan(m_session, m_session->consul, m_session->nomad, desired, teardown,
                           QPointer<mesh::api::CancelToken>(m_session->cancel)),
                   this, [this, generation](const mesh::Result<DeployPlan> &plan) {
                       if (generation == m_generation)
                           planned(plan);
                   });
}

void DeployDialog::startImport()
{
    const quint64 generation = ++m_generation;
    setStage(Stage::Planning);
    QString text = tr("Reading the jobs and intentions of %1…").arg(m_target->describe());
    for (const QString &warning : m_target->consul.warnings + m_target->nomad.warnings)
        text += u"\n"_qs + warning;
    setStatus(text);
    mesh::importer::ClusterImport::Options options;
    options.cancel = m_session->cancel;
    options.targetName = m_target->describe();
    QCoro::connect(
        runImport(m_session, m_session->consul, m_session->nomad, std::move(options)), this,
        [this, generation](const mesh::Result<mesh::importer::JobImporter::Result> &result) {
            if (generation != m_generation)
                return;
            if (!result) {
                fail(tr("Could not import from %1:\n%2").arg(m_target->name, result.error().message));
                return;
            }
            setStatus(
                tr("Read %n service(s) from %1.", nullptr, int(result->design.services.size())).arg(m_target->name));
            setStage(Stage::Done);
            Q_EMIT imported(*result, m_target->describe());
        });
}

void DeployDialog::planned(const mesh::Result<DeployPlan> &plan)
{
    if (!plan) {
        fail(tr("Could not plan on %1:\n%2").arg(m_target ? m_target->describe() : QString(), plan.error().message));
        return;
    }
    m_plan = *plan;
    m_plan->target = m_target->describe();
    PlanTreeBuilder::fill(m_planTree, *m_plan);
    m_summary->setText(mesh::deploy::PlanText::summary(*m_plan));
    if (m_plan->hasConflicts()) {
        setStatus(tr("The plan has conflicts (listed first); nothing can be applied."), true);
    } else if (!m_plan->hasChanges()) {
        setStatus(m_mode == Mode::Deploy ? tr("%1 already runs this design: nothing to deploy.").arg(m_target->name)
                                         : tr("Nothing of \"%1\" is on %2.").arg(designName(), m_target->name));
    } else {
        const QStringList failures = m_plan->placementFailures();
        QString text = m_mode == Mode::Deploy ? tr("Plan for %1 ready; Deploy applies it.").arg(m_target->describe())
                                              : tr("Plan for %1 ready; Remove applies it.").arg(m_target->describe());
        if (!failures.isEmpty())
            text += u" "_qs + tr("Nomad could not place %1 in its dry run.").arg(failures.join(u", "_qs));
        setStatus(text, !failures.isEmpty());
    }
    setStage(Stage::Planned);
}

void DeployDialog::applyPlan()
{
    if (m_stage != Stage::Planned || !m_plan || !m_session || !m_plan->hasChanges() || m_plan->hasConflicts())
        return;
    const quint64 generation = ++m_generation;
    m_urls.clear();
    m_result->clear();
    m_progress->start(*m_plan);
    m_progress->show();
    m_progress->appendLog(m_mode == Mode::Deploy ? tr("Deploying \"%1\" to %2").arg(designName(), m_plan->target)
                                                 : tr("Removing \"%1\" from %2").arg(designName(), m_plan->target));
    // Every card of a job that changes starts as pending.
    for (const mesh::deploy::JobChange &job : std::as_const(m_plan->jobs)) {
        if (job.action != mesh::deploy::JobChange::Action::None)
            setBadges(job.id, {}, int(DeployBadge::State::Pending), tr("pending"));
    }
    setStage(Stage::Applying);
    setStatus(m_mode == Mode::Deploy ? tr("Deploying to %1…").arg(m_target->name)
                                     : tr("Removing from %1…").arg(m_target->name));
    connect(m_session->deployer, &mesh::deploy::Deployer::event, this, &DeployDialog::deployEvent,
            Qt::UniqueConnection);
    QCoro::connect(runApply(m_session, m_session->deployer, *m_plan), this,
                   [this, generation](const mesh::Result<DeployOutcome> &outcome) {
                       if (generation == m_generation)
                           applied(outcome);
                   });
}

void DeployDialog::deployEvent(const DeployEvent &event)
{
    if (m_stage != Stage::Applying)
        return;
    m_progress->addEvent(event);
    using State = DeployBadge::State;
    switch (event.kind) {
    case DeployEvent::Kind::Progress: {
        const bool healthy = event.desired > 0 && event.healthy >= event.desired;
        setBadges(event.job, event.group, int(healthy ? State::Healthy : State::Progressing),
                  tr("%1/%2 healthy").arg(event.healthy).arg(event.desired));
        break;
    }
    case DeployEvent::Kind::PlacementFailed:
        setBadges(event.job, event.group, int(State::Failed), tr("not placed"));
        break;
    case DeployEvent::Kind::JobFailed: setBadges(event.job, {}, int(State::Failed), tr("failed")); break;
    case DeployEvent::Kind::JobStopped: setBadges(event.job, {}, int(State::Stopped), tr("stopped")); break;
    case DeployEvent::Kind::Endpoint:
        if (!event.url.isEmpty() && !m_urls.contains(event.url)) {
            m_urls.append(event.url);
            QStringList links;
            for (const QString &url : std::as_const(m_urls))
                links.append(link(url));
            m_result->setText(tr("Open: %1").arg(links.join(u"  "_qs)));
        }
        break;
    default: break;
    }
}

void DeployDialog::applied(const mesh::Result<DeployOutcome> &outcome)
{
    if (!outcome) {
        fail(tr("Not applied: %1").arg(outcome.error().message));
        return;
    }
    for (const QString &url : outcome->urls) {
        if (!m_urls.contains(url))
            m_urls.append(url);
    }
    QStringList links;
    for (const QString &url : std::as_const(m_urls))
        links.append(link(url));
    QString text;
    switch (outcome->status) {
    case DeployOutcome::Status::Succeeded:
        text = m_mode == Mode::Deploy ? tr("<b>Deployed \"%1\" to %2.</b>")
                                            .arg(designName().toHtmlEscaped(), m_target->name.toHtmlEscaped())
                                      : tr("<b>Teardown complete:</b> nothing of \"%1\" is left on %2.")
                                            .arg(designName().toHtmlEscaped(), m_target->name.toHtmlEscaped());
        if (!links.isEmpty())
            text += u" "_qs + tr("Open: %1").arg(links.join(u"  "_qs));
        setStatus(m_mode == Mode::Deploy ? tr("Deployed; every group is healthy.") : tr("Removed."));
        break;
    case DeployOutcome::Status::Failed: {
        QStringList failures;
        for (const QString &failure : outcome->failures)
            failures.append(failure.toHtmlEscaped());
        text = u"<span style=\"color:#cf222e\"><b>"_qs + tr("Failed:") + u"</b> "_qs + failures.join(u"<br>"_qs)
               + u"</span>"_qs;
        setStatus(tr("The deploy failed; the log says what Nomad recorded."), true);
        break;
    }
    case DeployOutcome::Status::Detached:
        text = tr("Stopped watching; the deployment goes on on the cluster.");
        setStatus(text);
        break;
    }
    m_result->setText(text);
    m_progress->appendLog(QTextDocumentFragment::fromHtml(text).toPlainText());
    setStage(Stage::Done);
}

void DeployDialog::setBadges(const QString &job, const QString &group, int state, const QString &text)
{
    for (const mesh::model::Service &service : m_window.model().topology().services) {
        if (service.job != job || (!group.isEmpty() && service.group != group))
            continue;
        const QString key = service.job + u'/' + service.group;
        m_badgeStates.insert(key, state);
        m_badgeTexts.insert(key, text);
    }
    QHash<mesh::model::ServiceId, DeployBadge> badges;
    for (const mesh::model::Service &service : m_window.model().topology().services) {
        const QString key = service.job + u'/' + service.group;
        if (m_badgeStates.contains(key))
            badges.insert(service.id, {DeployBadge::State(m_badgeStates.value(key)), m_badgeTexts.value(key)});
    }
    if (m_scene)
        m_scene->setDeployBadges(std::move(badges));
}

void DeployDialog::cancel()
{
    switch (m_stage) {
    case Stage::StartingLab:
    case Stage::ReadingTokens:
    case Stage::Planning:
        ++m_generation;
        m_labTimeout.stop();
        if (m_session)
            m_session->cancel->cancel();
        setStatus(tr("Cancelled; nothing was applied."));
        setStage(Stage::Idle);
        break;
    case Stage::Applying:
        // The apply returns Detached once the watch lets go; the writes it
        // made stand, and the cluster goes on.
        if (m_session)
            m_session->deployer->detach();
        setStatus(tr("Detaching…"));
        m_cancelButton->setEnabled(false);
        break;
    default: break;
    }
}

void DeployDialog::stopEverything()
{
    ++m_generation;
    m_labTimeout.stop();
    if (m_session) {
        m_session->cancel->cancel();
        m_session->deployer->detach();
        m_session->deployer->disconnect(this);
    }
    if (m_scene)
        m_scene->clearDeployBadges();
}

void DeployDialog::closeEvent(QCloseEvent *event)
{
    stopEverything();
    QDialog::closeEvent(event);
}

void DeployDialog::done(int result)
{
    stopEverything();
    QDialog::done(result);
}

void DeployDialog::newTarget()
{
    DeployTarget blank;
    blank.kind = DeployTarget::Kind::Profile;
    blank.consul.address.clear();
    blank.nomad.address.clear();
    QStringList taken;
    for (const DeployTarget &t : std::as_const(m_profiles))
        taken.append(t.name);
    auto *editor = new TargetEditor(blank, {}, taken, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(editor, &QDialog::accepted, this, [this, editor] {
        QList<DeployTarget> profiles = m_profiles;
        profiles.append(editor->target());
        if (const mesh::Result<> saved = mesh::deploy::TargetProfiles::save(profiles); !saved) {
            setStatus(tr("Target not saved: %1").arg(saved.error().message), true);
            return;
        }
        m_tokens->write(editor->target().name, editor->tokens());
        loadTargets(editor->target().name);
        setStatus(tr("Saved target \"%1\"; press Plan.").arg(editor->target().name));
    });
    editor->open();
}

void DeployDialog::editTarget()
{
    const QString name = currentTarget();
    const std::optional<DeployTarget> current = mesh::deploy::TargetProfiles::find(m_profiles, name);
    if (!current)
        return;
    QStringList taken;
    for (const DeployTarget &t : std::as_const(m_profiles)) {
        if (t.name != name)
            taken.append(t.name);
    }
    // The session's tokens fill the fields; the keychain's are not read
    // here, so a field left empty keeps them (see below).
    bool known = false;
    const TokenStore::Tokens tokens = TokenStore::sessionTokens(name, &known);
    auto *editor = new TargetEditor(*current, tokens, taken, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(editor, &QDialog::accepted, this, [this, editor, name, known] {
        QList<DeployTarget> profiles;
        for (const DeployTarget &t : std::as_const(m_profiles))
            profiles.append(t.name == name ? editor->target() : t);
        if (const mesh::Result<> saved = mesh::deploy::TargetProfiles::save(profiles); !saved) {
            setStatus(tr("Target not saved: %1").arg(saved.error().message), true);
            return;
        }
        const TokenStore::Tokens typed = editor->tokens();
        // Empty fields on a profile whose tokens were never typed this
        // session mean "unchanged", not "delete the keychain's".
        if (known || !typed.isEmpty() || editor->target().name != name)
            m_tokens->write(editor->target().name, typed);
        loadTargets(editor->target().name);
        setStatus(tr("Saved target \"%1\"; press Plan.").arg(editor->target().name));
    });
    editor->open();
}

} // namespace meshpad::gui
