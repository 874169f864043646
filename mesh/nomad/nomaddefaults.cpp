#include "nomaddefaults.h"

using namespace Qt::StringLiterals;

namespace mesh::nomad {

QJsonObject NomadDefaults::updateStrategy()
{
    return {
        {u"Stagger"_s, 30 * kSecond},
        {u"MaxParallel"_s, 1},
        {u"HealthCheck"_s, u"checks"_s},
        {u"MinHealthyTime"_s, 10 * kSecond},
        {u"HealthyDeadline"_s, 5 * kMinute},
        {u"ProgressDeadline"_s, 10 * kMinute},
        {u"AutoRevert"_s, false},
        {u"AutoPromote"_s, false},
        {u"Canary"_s, 0},
    };
}

QJsonObject NomadDefaults::restartPolicy(bool serviceJob)
{
    return {{u"Delay"_s, 15 * kSecond},
            {u"Attempts"_s, serviceJob ? 2 : 3},
            {u"Interval"_s, serviceJob ? 30 * kMinute : 24 * 60 * kMinute},
            {u"Mode"_s, u"fail"_s},
            {u"RenderTemplates"_s, false}};
}

QJsonObject NomadDefaults::reschedulePolicy()
{
    return {{u"Attempts"_s, 0},
            {u"Interval"_s, 0},
            {u"Delay"_s, 30 * kSecond},
            {u"DelayFunction"_s, u"exponential"_s},
            {u"MaxDelay"_s, 60 * kMinute},
            {u"Unlimited"_s, true}};
}

QJsonObject NomadDefaults::migrateStrategy()
{
    return {{u"MaxParallel"_s, 1},
            {u"HealthCheck"_s, u"checks"_s},
            {u"MinHealthyTime"_s, 10 * kSecond},
            {u"HealthyDeadline"_s, 5 * kMinute}};
}

} // namespace mesh::nomad
