#pragma once

#include <QObject>

#include <initializer_list>

class QSocketNotifier;

namespace apps {

// Turns SIGINT/SIGTERM (what Nomad sends) into a Qt signal on the thread that
// created the watcher. The handler only writes the signal number into a
// self-pipe; everything else happens in the event loop. One watcher per
// process.
class UnixSignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignalWatcher)

public:
    explicit UnixSignalWatcher(std::initializer_list<int> signalNumbers, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void signalReceived(int signalNumber);

private:
    void readPipe();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace apps
