#include "tokenstore.h"

#include <QHash>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace meshpad::gui {

Q_LOGGING_CATEGORY(lcTokens, "meshpad.deploy.tokens")

namespace {

// The tokens typed in this process, per profile: what survives a missing
// keychain. Only memory; never written anywhere.
QHash<QString, TokenStore::Tokens> &session()
{
    static QHash<QString, TokenStore::Tokens> tokens;
    return tokens;
}

QString key(const QString &profile, QStringView service)
{
    return profile + u'/' + service;
}

QString describe(QKeychain::Error error, const QString &text)
{
    switch (error) {
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented: return TokenStore::tr("no keychain (%1)").arg(text);
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser: return TokenStore::tr("the keychain refused access (%1)").arg(text);
    default: return TokenStore::tr("the keychain failed (%1)").arg(text);
    }
}

// How long a keychain answer may take before the caller goes on without
// it (an unanswered D-Bus call waits 25 s otherwise). A keychain that asks
// to be unlocked answers later; that answer is then dropped.
constexpr int kKeychainTimeoutMs = 8000;

} // namespace

TokenStore::TokenStore(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<meshpad::gui::TokenStore::Tokens>();
}

TokenStore::~TokenStore() = default;

TokenStore::Tokens TokenStore::sessionTokens(const QString &profile, bool *known)
{
    const auto it = session().constFind(profile);
    if (known)
        *known = it != session().cend();
    return it == session().cend() ? Tokens{} : *it;
}

void TokenStore::read(const QString &profile)
{
    bool known = false;
    const Tokens remembered = sessionTokens(profile, &known);
    if (known) {
        QTimer::singleShot(0, this, [this, profile, remembered] { Q_EMIT tokensRead(profile, remembered, {}); });
        return;
    }
    // Two jobs, Consul's then Nomad's; the state lives until both answered
    // or the timeout, whichever comes first, and answers once.
    struct Pending
    {
        Tokens tokens;
        QString error;
        int waiting = 2;
        bool answered = false;
    };
    auto pending = std::make_shared<Pending>();
    const QPointer<TokenStore> self(this);
    const auto finish = [self, profile, pending] {
        if (pending->answered || !self)
            return;
        pending->answered = true;
        Q_EMIT self->tokensRead(profile, pending->tokens, pending->error);
    };
    QTimer::singleShot(kKeychainTimeoutMs, this, [pending, finish] {
        if (pending->error.isEmpty())
            pending->error = tr("the keychain did not answer within %1 s").arg(kKeychainTimeoutMs / 1000);
        finish();
    });
    for (const QStringView service : {u"consul", u"nomad"}) {
        auto *job = new QKeychain::ReadPasswordJob(QString::fromLatin1(kService), this);
        job->setAutoDelete(true);
        job->setInsecureFallback(false);
        job->setKey(key(profile, service));
        const bool consul = service == u"consul";
        connect(job, &QKeychain::Job::finished, this, [pending, finish, consul](QKeychain::Job *done) {
            const auto *read = static_cast<QKeychain::ReadPasswordJob *>(done);
            if (read->error() == QKeychain::NoError)
                (consul ? pending->tokens.consul : pending->tokens.nomad) = read->textData();
            else if (read->error() != QKeychain::EntryNotFound && pending->error.isEmpty())
                pending->error = describe(read->error(), read->errorString());
            if (--pending->waiting == 0)
                finish();
        });
        job->start();
    }
}

void TokenStore::write(const QString &profile, const Tokens &tokens)
{
    session().insert(profile, tokens);
    auto pending = std::make_shared<std::pair<int, QString>>(2, QString());
    for (const QStringView service : {u"consul", u"nomad"}) {
        const QString &token = service == u"consul" ? tokens.consul : tokens.nomad;
        QKeychain::Job *job = nullptr;
        if (token.isEmpty()) {
            job = new QKeychain::DeletePasswordJob(QString::fromLatin1(kService), this);
        } else {
            auto *writeJob = new QKeychain::WritePasswordJob(QString::fromLatin1(kService), this);
            writeJob->setTextData(token);
            job = writeJob;
        }
        job->setAutoDelete(true);
        job->setInsecureFallback(false);
        job->setKey(key(profile, service));
        connect(job, &QKeychain::Job::finished, this, [this, profile, pending](QKeychain::Job *done) {
            // Deleting what is not there is no failure.
            if (done->error() != QKeychain::NoError && done->error() != QKeychain::EntryNotFound
                && pending->second.isEmpty()) {
                pending->second = describe(done->error(), done->errorString());
                // The reason only; the key names the profile, never the token.
                qCWarning(lcTokens) << "keychain write for" << done->key() << "failed:" << pending->second;
            }
            if (--pending->first == 0)
                Q_EMIT tokensWritten(profile, pending->second);
        });
        job->start();
    }
}

} // namespace meshpad::gui
