#include "targeteditor.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace meshpad::gui {

using mesh::deploy::DeployTarget;

TargetEditor::TargetEditor(const DeployTarget &target, const TokenStore::Tokens &tokens, const QStringList &takenNames,
                           QWidget *parent)
    : QDialog(parent)
    , m_takenNames(takenNames)
{
    setObjectName(u"targetEditor"_qs);
    setWindowTitle(target.name.isEmpty() ? tr("New Deploy Target") : tr("Deploy Target %1").arg(target.name));

    auto *top = new QFormLayout;
    m_name = new QLineEdit(target.name);
    m_name->setObjectName(u"targetName"_qs);
    m_name->setPlaceholderText(tr("e.g. staging"));
    top->addRow(tr("&Name:"), m_name);

    const auto group = [this](const QString &title, QFormLayout *&form) {
        auto *box = new QGroupBox(title);
        form = new QFormLayout(box);
        return box;
    };
    QFormLayout *consul = nullptr;
    QGroupBox *consulBox = group(tr("Consul"), consul);
    const auto &c = target.consul;
    m_consulAddress = addField(consul, tr("Address:"), u"consulAddress"_qs, c.address);
    m_consulAddress->setPlaceholderText(u"https://consul.example.com:8501"_qs);
    m_consulCa = addField(consul, tr("CA file:"), u"consulCaFile"_qs, c.caFile, true);
    m_consulCert = addField(consul, tr("Client certificate:"), u"consulClientCert"_qs, c.clientCert, true);
    m_consulKey = addField(consul, tr("Client key:"), u"consulClientKey"_qs, c.clientKey, true);
    m_consulServerName = addField(consul, tr("TLS server name:"), u"consulTlsServerName"_qs, c.tlsServerName);
    m_consulSkipVerify = new QCheckBox(tr("Skip certificate verification (insecure)"));
    m_consulSkipVerify->setObjectName(u"consulSkipVerify"_qs);
    m_consulSkipVerify->setChecked(!c.sslVerify);
    consul->addRow(QString(), m_consulSkipVerify);
    m_consulNamespace = addField(consul, tr("Namespace:"), u"consulNamespace"_qs, c.ns);
    m_consulPartition = addField(consul, tr("Partition:"), u"consulPartition"_qs, c.partition);
    m_consulDatacenter = addField(consul, tr("Datacenter:"), u"consulDatacenter"_qs, c.datacenter);
    m_consulToken = addField(consul, tr("ACL token:"), u"consulToken"_qs, tokens.consul);

    QFormLayout *nomad = nullptr;
    QGroupBox *nomadBox = group(tr("Nomad"), nomad);
    const auto &n = target.nomad;
    m_nomadAddress = addField(nomad, tr("Address:"), u"nomadAddress"_qs, n.address);
    m_nomadAddress->setPlaceholderText(u"https://nomad.example.com:4646"_qs);
    m_nomadCa = addField(nomad, tr("CA file:"), u"nomadCaFile"_qs, n.caFile, true);
    m_nomadCert = addField(nomad, tr("Client certificate:"), u"nomadClientCert"_qs, n.clientCert, true);
    m_nomadKey = addField(nomad, tr("Client key:"), u"nomadClientKey"_qs, n.clientKey, true);
    m_nomadServerName = addField(nomad, tr("TLS server name:"), u"nomadTlsServerName"_qs, n.tlsServerName);
    m_nomadSkipVerify = new QCheckBox(tr("Skip certificate verification (insecure)"));
    m_nomadSkipVerify->setObjectName(u"nomadSkipVerify"_qs);
    m_nomadSkipVerify->setChecked(n.skipVerify);
    nomad->addRow(QString(), m_nomadSkipVerify);
    m_nomadRegion = addField(nomad, tr("Region:"), u"nomadRegion"_qs, n.region);
    m_nomadNamespace = addField(nomad, tr("Namespace:"), u"nomadNamespace"_qs, n.ns);
    m_nomadToken = addField(nomad, tr("ACL token:"), u"nomadToken"_qs, tokens.nomad);

    for (QLineEdit *token : {m_consulToken, m_nomadToken}) {
        token->setEchoMode(QLineEdit::Password);
        token->setPlaceholderText(tr("kept in the desktop keychain"));
    }

    auto *boxes = new QHBoxLayout;
    boxes->addWidget(consulBox);
    boxes->addWidget(nomadBox);

    m_problem = new QLabel;
    m_problem->setObjectName(u"targetProblem"_qs);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: #d63333"_qs);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &TargetEditor::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &TargetEditor::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(boxes);
    layout->addWidget(new QLabel(tr("Tokens go to the desktop keychain, never to targets.json, the design or a log. "
                                    "Without a keychain they last until Meshpad quits; CONSUL_HTTP_TOKEN and "
                                    "NOMAD_TOKEN are used when no token is set here.")));
    layout->itemAt(layout->count() - 1)->widget()->setProperty("wordWrap", true);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
}

TargetEditor::~TargetEditor() = default;

QLineEdit *TargetEditor::addField(QFormLayout *form, const QString &label, const QString &objectName,
                                  const QString &value, bool isFile)
{
    auto *field = new QLineEdit(value);
    field->setObjectName(objectName);
    if (!isFile) {
        form->addRow(label, field);
        return field;
    }
    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(field);
    auto *browse = new QToolButton;
    browse->setText(u"…"_qs);
    browse->setToolTip(tr("Choose a PEM file"));
    connect(browse, &QToolButton::clicked, this, [this, field, label] {
        const QString path = QFileDialog::getOpenFileName(this, label, field->text(),
                                                          tr("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!path.isEmpty())
            field->setText(path);
    });
    row->addWidget(browse);
    form->addRow(label, row);
    return field;
}

DeployTarget TargetEditor::target() const
{
    DeployTarget t;
    t.kind = DeployTarget::Kind::Profile;
    t.name = m_name->text().trimmed();
    t.consul.address = m_consulAddress->text().trimmed();
    t.consul.caFile = m_consulCa->text().trimmed();
    t.consul.clientCert = m_consulCert->text().trimmed();
    t.consul.clientKey = m_consulKey->text().trimmed();
    t.consul.tlsServerName = m_consulServerName->text().trimmed();
    t.consul.sslVerify = !m_consulSkipVerify->isChecked();
    t.consul.ns = m_consulNamespace->text().trimmed();
    t.consul.partition = m_consulPartition->text().trimmed();
    t.consul.datacenter = m_consulDatacenter->text().trimmed();
    t.nomad.address = m_nomadAddress->text().trimmed();
    t.nomad.caFile = m_nomadCa->text().trimmed();
    t.nomad.clientCert = m_nomadCert->text().trimmed();
    t.nomad.clientKey = m_nomadKey->text().trimmed();
    t.nomad.tlsServerName = m_nomadServerName->text().trimmed();
    t.nomad.skipVerify = m_nomadSkipVerify->isChecked();
    t.nomad.region = m_nomadRegion->text().trimmed();
    t.nomad.ns = m_nomadNamespace->text().trimmed();
    return t;
}

TokenStore::Tokens TargetEditor::tokens() const
{
    return {m_consulToken->text().trimmed(), m_nomadToken->text().trimmed()};
}

QString TargetEditor::problem() const
{
    // The same rules `meshpad deploy -target NAME` applies when it loads
    // the profile, so a profile saved here always loads there.
    const DeployTarget edited = target();
    const mesh::Result<DeployTarget> loaded = DeployTarget::fromProfile(edited.toProfile());
    if (!loaded)
        return loaded.error().message;
    if (m_takenNames.contains(edited.name))
        return tr("a deploy target \"%1\" exists already").arg(edited.name);
    DeployTarget copy = *loaded;
    if (const auto endpoint = copy.consul.endpoint(); !endpoint)
        return tr("Consul: %1").arg(endpoint.error().message);
    if (const auto endpoint = copy.nomad.endpoint(); !endpoint)
        return tr("Nomad: %1").arg(endpoint.error().message);
    return {};
}

void TargetEditor::accept()
{
    const QString why = problem();
    m_problem->setText(why);
    if (why.isEmpty())
        QDialog::accept();
}

} // namespace meshpad::gui
