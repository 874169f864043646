#pragma once

#include <QString>
#include <QStringView>

namespace mesh::lab::nomad {

// One task event, as Nomad's task runner records it (nomad/structs TaskEvent).
// `type` is one of the TaskEvent* constants below; an empty `message` gets
// Nomad's DisplayMessage for the type (structs.TaskEvent.PopulateEventDisplayMessage).
struct TaskEventReport
{
    QString type;
    QString message;
    int exitCode = 0;         // Terminated
    int signal = 0;           // Terminated
    bool failsTask = false;   // Driver Failure etc.: the task is dead and failed
    QString restartReason;    // Restarting / Not Restarting
    qint64 startDelayNs = 0;  // Restarting
    QString driverError;      // Driver Failure
    qint64 killTimeoutNs = 0; // Killing
};

inline constexpr QStringView kTaskReceived = u"Received";
inline constexpr QStringView kTaskSetup = u"Task Setup";
inline constexpr QStringView kTaskStarted = u"Started";
inline constexpr QStringView kTaskTerminated = u"Terminated";
inline constexpr QStringView kTaskRestarting = u"Restarting";
inline constexpr QStringView kTaskNotRestarting = u"Not Restarting";
inline constexpr QStringView kTaskDriverFailure = u"Driver Failure";
inline constexpr QStringView kTaskKilling = u"Killing";
inline constexpr QStringView kTaskKilled = u"Killed";
inline constexpr QStringView kTaskSiblingFailed = u"Sibling Task Failed";
// The allocation health hook's event when healthy_deadline passes
// (client/allocrunner/health_hook.go; the message from allochealth/tracker.go).
inline constexpr QStringView kTaskAllocUnhealthy = u"Alloc Unhealthy";

} // namespace mesh::lab::nomad
