#include "deployplan.h"

using namespace Qt::StringLiterals;

namespace mesh::deploy {

bool DeployPlan::hasChanges() const
{
    for (const JobChange &job : jobs) {
        if (job.action != JobChange::Action::None)
            return true;
    }
    for (const IntentionChange &intention : intentions) {
        if (intention.changes())
            return true;
    }
    return false;
}

QStringList DeployPlan::placementFailures() const
{
    QStringList out;
    for (const JobChange &job : jobs) {
        for (auto it = job.failedTGAllocs.begin(); it != job.failedTGAllocs.end(); ++it)
            out.append(job.id + u'/' + it.key());
    }
    return out;
}

QString toString(JobChange::Action action)
{
    switch (action) {
    case JobChange::Action::Create: return u"create"_s;
    case JobChange::Action::Update: return u"update"_s;
    case JobChange::Action::None: return u"none"_s;
    case JobChange::Action::Stop: return u"stop"_s;
    case JobChange::Action::Purge: return u"purge"_s;
    }
    return {};
}

} // namespace mesh::deploy
