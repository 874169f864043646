#pragma once

#include "core/result.h"
#include "hashibox/vagrantoutput.h"

#include <QList>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <QCoro/QCoroTask>

#include <chrono>

namespace mesh::hashibox {

// One machine as `vagrant status` reports it.
struct MachineStatus
{
    QString name;      // one, two, three
    QString state;     // vagrant's id: running, not_created, shutoff, poweroff, …
    QString stateText; // state-human-short: "not created"
    QString provider;  // libvirt
};

// Runs `vagrant <command> --machine-readable` in a generated Hashibox
// (DIR/hashibox, where `meshpad generate DESIGN -o DIR` wrote the
// Vagrantfile) as a child process, never blocking the caller's thread: its
// lines become progress() as they arrive (VagrantOutput::describe), and a
// failure becomes an Error a person can act on:
//
//   Io           DIR has no hashibox/Vagrantfile (run meshpad generate first)
//   NotFound     vagrant is not installed (what to install), or cannot start
//   Unsupported  no usable provider: vagrant-libvirt missing, or libvirt
//                not reachable (what to install, the libvirt group)
//   Conflict     a port or the nodes' network is taken (what to change)
//   Timeout      vagrant did not finish in time (it is stopped)
//   Internal     any other failure, with vagrant's own words
//
// Each call runs one vagrant; calls may overlap (vagrant itself locks the
// machines it acts on). Lives on its creator's thread.
class Vagrant final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Vagrant)

public:
    // `directory`: the generate output DIR (holding hashibox/Vagrantfile) or
    // the hashibox directory itself.
    explicit Vagrant(QString directory, QObject *parent = nullptr);
    ~Vagrant() override;

    // The program to run: "vagrant" (found in the environment's PATH) unless
    // set. The environment: the system's unless set.
    void setProgram(QString program) { m_program = std::move(program); }
    void setProcessEnvironment(QProcessEnvironment environment) { m_environment = std::move(environment); }

    // The directory vagrant runs in (holding the Vagrantfile), or Io
    // saying to run `meshpad generate DESIGN -o DIR`.
    Result<QString> hashiboxDirectory() const;

    // `vagrant up --provider=libvirt`: the Hashibox is libvirt's (its
    // Vagrantfile configures only that provider), so another installed
    // provider is not silently picked instead.
    QCoro::Task<Result<>> up(std::chrono::milliseconds timeout);
    QCoro::Task<Result<QList<MachineStatus>>> status(std::chrono::milliseconds timeout);
    // `vagrant destroy -f`.
    QCoro::Task<Result<>> destroy(std::chrono::milliseconds timeout);

    // The error vagrant's error-exit means (class and message as printed),
    // with what to do about it. Public for tests.
    static Error explain(const QString &command, const QString &errorClass, const QString &message);

Q_SIGNALS:
    // A line for a person: "==> one: Creating domain…", "one: up done".
    void progress(const QString &text);
    // Every machine-readable line, as parsed.
    void eventReceived(const mesh::hashibox::VagrantEvent &event);

private:
    struct Run
    {
        int exitCode = 0;
        QList<VagrantEvent> events;
        QStringList stray; // stdout lines that were not machine-readable
        QString stderrText;
    };
    QCoro::Task<Result<Run>> run(QString command, QStringList arguments, std::chrono::milliseconds timeout);
    Result<> failure(const QString &command, const Run &run) const;
    Result<QString> findProgram() const;

    QString m_directory;
    QString m_program;
    QProcessEnvironment m_environment;
};

} // namespace mesh::hashibox
