#pragma once

#include "deploy/tokenstore.h"

#include "deploy/deployplan.h"
#include "deploy/deploytarget.h"
#include "importer/jobimporter.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace mesh::deploy {
struct DeployEvent;
struct DeployOutcome;
} // namespace mesh::deploy
namespace mesh::lab {
struct LabSnapshot;
}

namespace meshpad::gui {

class CanvasScene;
class DeployProgress;
class MainWindow;
struct DeployBadge;

// Deploy… and Teardown…: the window's design to a cluster, in the steps
// `meshpad deploy` takes (app/cli/deploycommand.cpp) with the same engine
// (mesh/deploy):
// 1. pick a target (the embedded lab, the environment, the Hashibox or a
//    named profile; New…/Edit… open TargetEditor, tokens go to the
//    keychain) and Plan: the plan shows as a tree (PlanTreeBuilder);
// 2. Deploy (Remove for a teardown) applies it; per job and group a bar of
//    healthy of desired and a log follow the DeployEvents (DeployProgress),
//    and the design's cards show the same state (CanvasScene deploy
//    badges) until the dialog closes;
// 3. the result, with the dashboard's link.
// Cancel works at every step: while planning it cancels the requests,
// while watching it detaches (the cluster goes on).
//
// Nothing here waits on the network: the Planner and Deployer run as QCoro
// tasks whose clients live in a session object that outlives the dialog
// until its task ends; results reach the dialog only while it exists.
//
// The lab target is the window's own Lab, started on demand with no design
// (MainWindow::startLabForDeploy), as a cluster to deploy to; while Run
// runs the design on it directly, the dialog refuses and says so.
//
// Import (File › Import from Cluster…) goes the other way on the same
// targets: Import reads the target's jobs and intentions
// (mesh::importer::ClusterImport, in the Planning stage, Cancel works) and
// emits imported(); the window puts them into a design. Nothing is written
// to the cluster.
class DeployDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployDialog)

public:
    enum class Mode { Deploy, Teardown, Import };
    enum class Stage {
        Idle,          // nothing runs; pick a target and Plan
        StartingLab,   // waiting for the lab target to come up
        ReadingTokens, // waiting for the keychain
        Planning,
        Planned,  // a plan is shown; Deploy applies it
        Applying, // writing and watching
        Done,     // the outcome is shown
    };
    Q_ENUM(Stage)

    // How long the lab may take to come up before the dialog gives up.
    static constexpr int kLabStartTimeoutMs = 60'000;

    DeployDialog(Mode mode, MainWindow &window);
    ~DeployDialog() override;

    Mode mode() const { return m_mode; }
    Stage stage() const { return m_stage; }
    // The design's name on the cluster (its meta `meshpad.design`).
    QString designName() const;
    const std::optional<mesh::deploy::DeployPlan> &plan() const { return m_plan; }
    // The URLs of the last successful apply (the dashboard first).
    QStringList urls() const { return m_urls; }

    // Selects a target by name ("lab", "environment", "hashibox" or a
    // profile's); false when there is none.
    bool selectTarget(const QString &name);
    QString currentTarget() const;

    QComboBox *targetBox() const { return m_targetBox; }
    QTreeWidget *planTree() const { return m_planTree; }
    QPushButton *planButton() const { return m_planButton; }
    QPushButton *applyButton() const { return m_applyButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    DeployProgress *progress() const { return m_progress; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *resultLabel() const { return m_result; }
    // Import: the indeterminate bar shown while it reads; null otherwise.
    QProgressBar *busyBar() const { return m_busyBar; }

public Q_SLOTS:
    void planNow();
    void applyPlan();
    void cancel();
    void newTarget();
    void editTarget();

Q_SIGNALS:
    void stageChanged(meshpad::gui::DeployDialog::Stage stage);
    // Import: the target's design, read; `source` describes the target.
    // The dialog is Done; the receiver may close it.
    void imported(const mesh::importer::JobImporter::Result &result, const QString &source);

protected:
    void closeEvent(QCloseEvent *event) override;
    void done(int result) override;

private:
    class Session;

    void loadTargets(const QString &select);
    void setStage(Stage stage);
    void setStatus(const QString &text, bool error = false);
    void fail(const QString &text);
    void resolveLab();
    void labStarted(const mesh::lab::LabSnapshot &snapshot);
    void tokensRead(const QString &profile, const TokenStore::Tokens &tokens, const QString &error);
    void startPlan(mesh::deploy::DeployTarget target);
    void startImport();
    void planned(const mesh::Result<mesh::deploy::DeployPlan> &plan);
    void deployEvent(const mesh::deploy::DeployEvent &event);
    void applied(const mesh::Result<mesh::deploy::DeployOutcome> &outcome);
    void setBadges(const QString &job, const QString &group, int state, const QString &text);
    void stopEverything();

    Mode m_mode;
    MainWindow &m_window;
    // The window's canvas; gone first when the window is destroyed.
    QPointer<CanvasScene> m_scene;
    TokenStore *m_tokens;
    QList<mesh::deploy::DeployTarget> m_profiles;
    Stage m_stage = Stage::Idle;
    // Bumped by every new plan and by Cancel: answers of an older step are
    // dropped.
    quint64 m_generation = 0;
    std::shared_ptr<Session> m_session;
    std::optional<mesh::deploy::DeployTarget> m_target;
    std::optional<mesh::deploy::DeployPlan> m_plan;
    QStringList m_urls;
    QHash<QString, int> m_badgeStates; // "job/group" → DeployBadge::State
    QHash<QString, QString> m_badgeTexts;
    QTimer m_labTimeout;

    QComboBox *m_targetBox;
    QPushButton *m_newButton;
    QPushButton *m_editButton;
    QPushButton *m_planButton;
    QLabel *m_status;
    QLabel *m_summary;
    QTreeWidget *m_planTree;
    DeployProgress *m_progress;
    QLabel *m_result;
    QPushButton *m_applyButton;
    QPushButton *m_cancelButton;
    QPushButton *m_closeButton;
    // Import only: moves while a step runs (nothing else shows progress).
    QProgressBar *m_busyBar = nullptr;
};

} // namespace meshpad::gui
