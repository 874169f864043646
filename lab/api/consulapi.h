#pragma once

#include "core/result.h"
#include "lab/api/consulstate.h"
#include "lab/api/gostructschema.h"
#include "lab/blockingqueries.h"
#include "pki/issuedcertificate.h"

#include "httptypes.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QUrlQuery>

#include <chrono>
#include <optional>

class QTimer;

namespace apps::http {
class HttpServer;
}
namespace mesh::pki {
class CertificateAuthority;
}

namespace mesh::lab {

// Consul's HTTP API of the lab's three agents, each on <node address>:8500,
// shaped as a real agent answers (bodies, keys, status codes, error texts,
// X-Consul-* headers), over the lab's ConsulState. Also holds each node's
// :4646 server for Nomad's API, whose handler the runtime sets (the lab's
// NomadApi; 404 until then). Lives on the lab's network thread.
//
// Served: /v1/status/{leader,peers}; /v1/agent/{self, members, services, service/:id
// (hash blocking), service/register, service/deregister/:id, checks,
// connect/ca/roots, connect/ca/leaf/:service (index blocking, rotated by
// rotateLeaves()), connect/authorize}; /v1/catalog/{services, service/:name,
// nodes}; /v1/health/{service,connect}/:name (?passing); /v1/config (PUT,
// ?cas), /v1/config/:kind[/:name] (GET, DELETE ?cas). Blocking queries
// (?index=&wait=) on catalog, health, config and leaf reads. ?filter is
// refused with 400 rather than ignored.
class ConsulApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsulApi)

public:
    // The biggest request body the agents take (Consul's own HTTP server
    // leaves bodies unbounded apart from KV's 512 KiB value cap; 4 MiB keeps
    // a stray upload from filling the lab's memory).
    static constexpr qint64 kMaxBodyBytes = 4 * 1024 * 1024;
    static constexpr quint16 kConsulPort = 8500;
    static constexpr quint16 kNomadPort = 4646;

    // `state` and `ca` are not owned and must outlive this object.
    ConsulApi(ConsulState *state, const pki::CertificateAuthority *ca, std::chrono::hours leafTtl,
              QObject *parent = nullptr);
    ~ConsulApi() override;

    // Listens on every node's :8500 and :4646 (Consul on `consulPort`,
    // Nomad on `nomadPort`; 0 picks free ports, for tests). Fails with a
    // message naming the address when one is taken; then nothing listens.
    Result<> listen(quint16 consulPort = kConsulPort, quint16 nomadPort = kNomadPort);
    void close();

    QString consulAddress(const QString &node) const; // "127.x.1.1:8500", empty when not listening
    QString nomadAddress(const QString &node) const;
    // After listen(): one sentence per API that had to take another port
    // because its own was taken (e.g. by a real agent on 0.0.0.0:8500).
    QStringList portNotes() const { return m_notes; }

    // Requests to every node's :4646 go to `handler` with the node's name
    // (404 until set).
    using NomadHandler = std::function<void(const QString &node, const apps::http::Request &, apps::http::Response &)>;
    void setNomadHandler(NomadHandler handler);

    // Issues every cached leaf again (the lab's rotation); blocking leaf
    // queries wake.
    void rotateLeaves();

    // The request handler of `node`'s Consul agent (public for tests that
    // skip sockets).
    void handle(const QString &node, const apps::http::Request &request, apps::http::Response &response);

private:
    // A request copied out of the server's buffers, so a blocking query can
    // be answered later.
    struct Call
    {
        QString node;
        QByteArray method;
        QString path;
        QUrlQuery query;
        QByteArray body;
    };
    struct Reply
    {
        int status = 200;
        QByteArray body;
        QByteArray contentType = QByteArrayLiteral("application/json");
        QByteArray extraHeaders;
        quint64 index = 0; // X-Consul-Index; 0: the state's index
        QString contentHash;
        bool consistency = false; // X-Consul-Effective-Consistency: leader
    };
    using Endpoint = Reply (ConsulApi::*)(const Call &);
    // A parked blocking read: what to build and when it has changed.
    struct Waiter
    {
        Call call;
        QByteArray key; // of its answer in m_replies
        Endpoint endpoint = nullptr;
        ConsulState::Table table = ConsulState::Table::Services;
        quint64 index = 0; // answer when the read's own index is past this
        QString hash;      // or, for hash blocking, when the hash differs
    };

    // A read's answer as last built, with the state index it was built at.
    struct CachedReply
    {
        Reply reply;
        Endpoint blocking = nullptr;
        ConsulState::Table table = ConsulState::Table::Services;
        quint64 stateIndex = 0;
    };
    static constexpr qsizetype kMaxCachedReplies = 4096;

    static Call makeCall(const QString &node, const apps::http::Request &request);
    const CachedReply *cachedReply(const QByteArray &key) const;
    void cacheReply(const QByteArray &key, const Reply &reply, Endpoint blocking, ConsulState::Table table);
    Reply replyFor(const Waiter &waiter);
    Reply route(const Call &call, Endpoint *blockingEndpoint, ConsulState::Table *table);
    void send(const Reply &reply, apps::http::Response &response, bool read) const;
    // X-Consul-Index of an answer: its own index, else the state's (> 0).
    quint64 answerIndex(const Reply &reply) const;
    void onStateChanged(ConsulState::Table table);

    Reply statusLeader(const Call &call);
    Reply statusPeers(const Call &call);
    Reply agentSelf(const Call &call);
    Reply agentMembers(const Call &call);
    Reply agentServices(const Call &call);
    Reply agentService(const Call &call);
    Reply agentChecks(const Call &call);
    Reply agentRegister(const Call &call);
    Reply agentDeregister(const Call &call);
    Reply caRoots(const Call &call);
    Reply caLeaf(const Call &call);
    Reply authorize(const Call &call);
    Reply catalogServices(const Call &call);
    Reply catalogService(const Call &call);
    Reply catalogNodes(const Call &call);
    Reply healthService(const Call &call);
    Reply healthConnect(const Call &call);
    Reply configApply(const Call &call);
    Reply configGet(const Call &call);
    Reply configList(const Call &call);
    Reply configDelete(const Call &call);

    QJsonObject agentServiceJson(const ConsulState::Service &service) const;
    QJsonObject nodeJson(const QString &node) const;
    QJsonObject memberJson(const QString &node) const;
    QJsonObject checkJson(const ConsulState::Check &check, const ConsulState::Service *service) const;
    QJsonObject catalogServiceJson(const ConsulState::Service &service) const;
    Reply healthEntries(const Call &call, bool connect);
    static Reply json(const QJsonDocument &document);
    static Reply error(int status, const QString &text);
    Result<pki::IssuedCertificate> leafFor(const QString &service);

    ConsulState *m_state;
    const pki::CertificateAuthority *m_ca;
    std::chrono::hours m_leafTtl;
    std::optional<GoStructSchema> m_schema;
    QString m_schemaError;
    struct Leaf
    {
        pki::IssuedCertificate certificate;
        quint64 createIndex = 0;
        quint64 modifyIndex = 0;
    };
    QHash<QString, Leaf> m_leaves;
    quint64 m_rootsIndex = 0;
    struct NodeServers
    {
        QString node;
        QHostAddress address;
        apps::http::HttpServer *consul = nullptr;
        apps::http::HttpServer *nomad = nullptr;
    };
    QList<NodeServers> m_servers;
    NomadHandler m_nomadHandler;
    QStringList m_notes;
    BlockingQueries *m_blocking; // child
    QHash<QByteArray, CachedReply> m_replies;
};

} // namespace mesh::lab
