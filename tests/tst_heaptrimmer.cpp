// HeapTrimmer: after a flood is gone, the process gives its freed heap back
// (what `meshpad proxy` does after thousands of connections closed).

#include "core/heaptrimmer.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <cstdlib>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Resident set size in bytes (/proc/self/statm, second field, in pages:
// https://man7.org/linux/man-pages/man5/proc_pid_statm.5.html).
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.value(1).toLongLong() * 4096;
}

} // namespace

class TestHeapTrimmer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freedHeapGoesBackAfterAFlood()
    {
#if !defined(__GLIBC__) || defined(__SANITIZE_ADDRESS__)
        QFAIL("built for glibc's allocator only; the test command does not run this under ASan");
#else
        // A flood's worth of small blocks (~96 MiB), touched so they are
        // resident; every 64th kept alive, as a few long-lived connections
        // are, so glibc cannot simply shrink the heap's top on free().
        constexpr int kBlocks = 96 * 1024;
        constexpr size_t kSize = 1024;
        std::vector<char *> blocks(kBlocks);
        for (char *&block : blocks) {
            block = static_cast<char *>(std::malloc(kSize));
            std::fill_n(block, kSize, char(1));
        }
        std::vector<char *> kept;
        for (int i = 0; i < kBlocks; ++i) {
            if (i % 64 == 0)
                kept.push_back(blocks[size_t(i)]);
            else
                std::free(blocks[size_t(i)]);
        }
        const qint64 afterFree = residentBytes();
        QVERIFY(afterFree > 0);

        mesh::HeapTrimmer trimmer(100ms, 16 * 1024 * 1024);
        QTRY_VERIFY_WITH_TIMEOUT(trimmer.trimmedBytes() > 48 * 1024 * 1024, 5000);
        const qint64 afterTrim = residentBytes();
        qInfo("RSS after the flood was freed %lld MiB, after the trim %lld MiB (%lld MiB trimmed)", afterFree >> 20,
              afterTrim >> 20, trimmer.trimmedBytes() >> 20);
        QVERIFY2(afterFree - afterTrim > 48 * 1024 * 1024,
                 qPrintable(QStringLiteral("RSS %1 → %2 MiB").arg(afterFree >> 20).arg(afterTrim >> 20)));

        // Steady memory is left alone: no trim walk per interval.
        const qint64 trimmed = trimmer.trimmedBytes();
        QTest::qWait(300);
        QCOMPARE(trimmer.trimmedBytes(), trimmed);
        for (char *block : kept)
            std::free(block);
#endif
    }
};

QTEST_GUILESS_MAIN(TestHeapTrimmer)
#include "tst_heaptrimmer.moc"
