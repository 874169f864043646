#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTest>

#include <signal.h>

// The running `meshpad lab up` for tests that drive the real binary
// (tst_labcli, tst_importcli). Header-only: it needs the test's
// MESHPAD_BINARY_DIR.
namespace meshtest {

// `meshpad lab up …` in the background: its stdout as lines, its stderr as
// text, both read as they come.
class LabUp final
{
public:
    LabUp(const QProcessEnvironment &env, const QStringList &arguments)
    {
        m_process.setProcessEnvironment(env);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            while (m_process.canReadLine()) {
                const QString line = QString::fromUtf8(m_process.readLine()).chopped(1);
                // Where each node's agents listen comes first, as text or JSON.
                if (line.startsWith(u"node ") || line.startsWith(u"{\"node\":")) {
                    m_nodes.append(line);
                    continue;
                }
                if (m_lines.isEmpty())
                    m_firstLineMs = m_clock.elapsed();
                m_lines.append(line);
            }
        });
        // Decoded from all bytes so far: a read may end inside a UTF-8 sequence.
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process, [this] {
            m_errBytes += m_process.readAllStandardError();
            m_err = QString::fromUtf8(m_errBytes);
        });
        m_clock.start();
        m_process.start(QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad"),
                        QStringList{u"lab"_qs, u"up"_qs} + arguments);
    }
    ~LabUp()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    Q_DISABLE_COPY_MOVE(LabUp)

    bool waitForLines(qsizetype n, int timeoutMs)
    {
        return QTest::qWaitFor([&] { return m_lines.size() >= n || m_process.state() == QProcess::NotRunning; },
                               timeoutMs)
               && m_lines.size() >= n;
    }
    void signal(int number) { ::kill(pid_t(m_process.processId()), number); }
    qint64 pid() const { return m_process.processId(); }
    bool waitForExit(int timeoutMs)
    {
        return QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    }
    int exitCode() const { return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1; }

    // stdout after the node lines.
    const QStringList &lines() const { return m_lines; }
    const QStringList &nodeLines() const { return m_nodes; }
    bool waitForNodes(int timeoutMs)
    {
        return QTest::qWaitFor([&] { return m_nodes.size() >= 3 || m_process.state() == QProcess::NotRunning; },
                               timeoutMs)
               && m_nodes.size() >= 3;
    }
    const QString &err() const { return m_err; }
    const QByteArray &errBytes() const { return m_errBytes; }
    qint64 firstLineMs() const { return m_firstLineMs; }

private:
    QProcess m_process;
    QElapsedTimer m_clock;
    QStringList m_lines;
    QStringList m_nodes;
    QByteArray m_errBytes;
    QString m_err;
    qint64 m_firstLineMs = -1;
};

} // namespace meshtest
