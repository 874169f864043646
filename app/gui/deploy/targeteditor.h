#pragma once

#include "deploy/tokenstore.h"

#include "deploy/deploytarget.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QFormLayout;
class QLabel;
class QLineEdit;

namespace meshpad::gui {

// Edits one named deploy target (a profile of TargetProfiles): its name,
// and for Consul and Nomad the address, TLS files (CA, client certificate
// and key, server name, skip verify), namespace and partition/datacenter or
// region, and the ACL token. The tokens are returned apart (tokens()) for
// the keychain (TokenStore); target() never carries them.
//
// OK is refused, with the reason under the fields, while the profile is not
// valid (no name, a built-in or taken name, an address the clients refuse).
class TargetEditor final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetEditor)

public:
    // `takenNames`: other profiles' names, which this one may not take.
    TargetEditor(const mesh::deploy::DeployTarget &target, const TokenStore::Tokens &tokens,
                 const QStringList &takenNames, QWidget *parent = nullptr);
    ~TargetEditor() override;

    mesh::deploy::DeployTarget target() const;
    TokenStore::Tokens tokens() const;
    // Why OK is refused now; empty when the fields make a valid profile.
    QString problem() const;

    void accept() override;

private:
    QLineEdit *addField(QFormLayout *form, const QString &label, const QString &objectName, const QString &value,
                        bool isFile = false);

    QStringList m_takenNames;
    QLineEdit *m_name;
    QLineEdit *m_consulAddress;
    QLineEdit *m_consulCa;
    QLineEdit *m_consulCert;
    QLineEdit *m_consulKey;
    QLineEdit *m_consulServerName;
    QCheckBox *m_consulSkipVerify;
    QLineEdit *m_consulNamespace;
    QLineEdit *m_consulPartition;
    QLineEdit *m_consulDatacenter;
    QLineEdit *m_consulToken;
    QLineEdit *m_nomadAddress;
    QLineEdit *m_nomadCa;
    QLineEdit *m_nomadCert;
    QLineEdit *m_nomadKey;
    QLineEdit *m_nomadServerName;
    QCheckBox *m_nomadSkipVerify;
    QLineEdit *m_nomadRegion;
    QLineEdit *m_nomadNamespace;
    QLineEdit *m_nomadToken;
    QLabel *m_problem;
};

} // namespace meshpad::gui
