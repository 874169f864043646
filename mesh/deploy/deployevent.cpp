#include "deployevent.h"

using namespace Qt::StringLiterals;

namespace mesh::deploy {

QString toString(DeployEvent::Kind kind)
{
    using K = DeployEvent::Kind;
    switch (kind) {
    case K::IntentionWritten: return u"intention-written"_s;
    case K::IntentionDeleted: return u"intention-deleted"_s;
    case K::JobRegistered: return u"job-registered"_s;
    case K::JobStopped: return u"job-stopped"_s;
    case K::Evaluated: return u"evaluated"_s;
    case K::PlacementFailed: return u"placement-failed"_s;
    case K::Progress: return u"progress"_s;
    case K::AllocationProblem: return u"allocation-problem"_s;
    case K::JobSucceeded: return u"job-succeeded"_s;
    case K::JobFailed: return u"job-failed"_s;
    case K::Endpoint: return u"endpoint"_s;
    case K::ServiceDeregistered: return u"service-deregistered"_s;
    case K::Detached: return u"detached"_s;
    }
    return {};
}

QJsonObject DeployEvent::toJson() const
{
    QJsonObject out{{u"event"_s, toString(kind)}};
    const auto put = [&](const QString &key, const QString &value) {
        if (!value.isEmpty())
            out.insert(key, value);
    };
    put(u"job"_s, job);
    put(u"group"_s, group);
    put(u"service"_s, service);
    put(u"alloc"_s, alloc);
    put(u"task"_s, task);
    put(u"text"_s, text);
    put(u"url"_s, url);
    if (kind == Kind::Progress) {
        out.insert(u"desired"_s, desired);
        out.insert(u"placed"_s, placed);
        out.insert(u"healthy"_s, healthy);
        out.insert(u"unhealthy"_s, unhealthy);
    }
    return out;
}

QString DeployEvent::toText() const
{
    using K = Kind;
    const QString where = group.isEmpty() ? job : job + u'/' + group;
    switch (kind) {
    case K::IntentionWritten: return u"intentions %1: written (%2)"_s.arg(service, text);
    case K::IntentionDeleted: return u"intentions %1: entry deleted"_s.arg(service);
    case K::JobRegistered: return u"%1: registered, evaluation %2"_s.arg(job, text);
    case K::JobStopped: return u"%1: %2"_s.arg(job, text.isEmpty() ? u"stopped"_s : text);
    case K::Evaluated: return u"%1: %2"_s.arg(job, text);
    case K::PlacementFailed: return u"%1: not placed: %2"_s.arg(where, text);
    case K::Progress:
        return u"%1: %2 of %3 healthy (%4 placed, %5 unhealthy)"_s.arg(where).arg(healthy).arg(desired).arg(placed).arg(
            unhealthy);
    case K::AllocationProblem:
        return u"%1: allocation %2%3: %4"_s.arg(where, alloc, task.isEmpty() ? QString() : u", task \""_s + task + u'"',
                                                text);
    case K::JobSucceeded: return u"%1: deployment successful"_s.arg(job);
    case K::JobFailed: return u"%1: FAILED: %2"_s.arg(job, text);
    case K::Endpoint: return u"%1: %2 (%3)"_s.arg(service, url, alloc);
    case K::ServiceDeregistered: return u"%1: deregistered from Consul"_s.arg(service);
    case K::Detached: return text;
    }
    return {};
}

} // namespace mesh::deploy
