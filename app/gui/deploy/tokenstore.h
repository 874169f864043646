#pragma once

#include <QObject>
#include <QString>

namespace meshpad::gui {

// A deploy target's ACL tokens (Consul and Nomad) in the desktop keychain
// through QtKeychain (Secret Service, KWallet, macOS Keychain, Windows
// Credential Store): service "meshpad", keys "<profile>/consul" and
// "<profile>/nomad". Never anywhere else: QtKeychain's insecure QSettings
// fallback stays off, and neither targets.json, the project file nor a log
// line sees them.
//
// Everything is asynchronous (QtKeychain's jobs; a keychain may ask the user
// to unlock it). A token typed in this session is also kept in memory for
// the process's life, so a machine without a keychain (CI, a headless box,
// no Secret Service on D-Bus) still deploys with it until Meshpad quits.
class TokenStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenStore)

public:
    struct Tokens
    {
        QString consul;
        QString nomad;
        bool isEmpty() const { return consul.isEmpty() && nomad.isEmpty(); }
    };

    static constexpr char kService[] = "meshpad";

    explicit TokenStore(QObject *parent = nullptr);
    ~TokenStore() override;

    // tokensRead() follows (queued, also when the answer is in memory).
    // `error` is empty, or says why the keychain could not be read (a
    // missing entry is no error: the token is just empty).
    void read(const QString &profile);
    // Into the session's memory at once, then the keychain; tokensWritten()
    // follows with an empty `error` or one a person can act on. An empty
    // token removes the keychain's entry.
    void write(const QString &profile, const Tokens &tokens);
    // What this session knows without asking the keychain.
    static Tokens sessionTokens(const QString &profile, bool *known = nullptr);

Q_SIGNALS:
    void tokensRead(const QString &profile, const meshpad::gui::TokenStore::Tokens &tokens, const QString &error);
    void tokensWritten(const QString &profile, const QString &error);
};

} // namespace meshpad::gui
