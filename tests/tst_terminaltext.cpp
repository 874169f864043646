// Text from a design or a peer, made safe for a terminal: what a terminal
// would act on (controls, bidi overrides) comes out visible, everything a
// person writes in a name comes out as it was.

#include "core/terminaltext.h"

#include <QTest>

using mesh::TerminalText;

class TestTerminalText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapesWhatATerminalWouldObey_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");

        QTest::newRow("clear screen in a service name") << u"api\x1b[2Jx"_qs << uR"(api\x1b[2Jx)"_qs;
        QTest::newRow("OSC 8 hyperlink") << u"\x1b]8;;https://evil.example/\x07"
                                            "click\x1b]8;;\x07"_qs
                                         << uR"(\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07)"_qs;
        QTest::newRow("OSC 52 clipboard write")
            << u"\x1b]52;c;cm0gLXJmIH4=\x1b\\"_qs << uR"(\x1b]52;c;cm0gLXJmIH4=\x1b\)"_qs;
        QTest::newRow("NUL") << QString(QChar(0)) << uR"(\x00)"_qs;
        QTest::newRow("tab inside a name") << u"a\tb"_qs << uR"(a\tb)"_qs;
        QTest::newRow("newline fakes a second line")
            << u"web\ncountdash.meshpad: error: fake"_qs << uR"(web\ncountdash.meshpad: error: fake)"_qs;
        QTest::newRow("carriage return overwrites the line") << u"ok\rFAILED"_qs << uR"(ok\rFAILED)"_qs;
        QTest::newRow("unit separator, the last C0") << QString(QChar(0x1f)) << uR"(\x1f)"_qs;
        QTest::newRow("DEL") << QString(QChar(0x7f)) << uR"(\x7f)"_qs;
        QTest::newRow("C1 CSI") << u"\u009b2J"_qs << uR"(\x9b2J)"_qs;
        QTest::newRow("C1 first and last") << u"\u0080\u009f"_qs << uR"(\x80\x9f)"_qs;
        QTest::newRow("Trojan Source RLO") << u"admin\u202e\u2066// user"_qs << uR"(admin\u202e\u2066// user)"_qs;
        QTest::newRow("every bidi embedding and override")
            << u"\u202a\u202b\u202c\u202d\u202e"_qs << uR"(\u202a\u202b\u202c\u202d\u202e)"_qs;
        QTest::newRow("every bidi isolate") << u"\u2066\u2067\u2068\u2069"_qs << uR"(\u2066\u2067\u2068\u2069)"_qs;
        QTest::newRow("lone high surrogate") << QString(QChar(0xd800)) + u'x' << uR"(\ud800x)"_qs;
        QTest::newRow("lone low surrogate") << u'x' + QString(QChar(0xdfff)) << uR"(x\udfff)"_qs;
        QTest::newRow("high surrogate at the end") << u"ab"_qs + QChar(0xdbff) << uR"(ab\udbff)"_qs;
        QTest::newRow("two high surrogates, then a low one")
            << QString(QChar(0xd83d)) + QChar(0xd83d) + QChar(0xde00) << uR"(\ud83d)"_qs + QString::fromUtf8("😀");
    }

    void escapesWhatATerminalWouldObey()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(TerminalText::escaped(text), expected);
        QVERIFY(TerminalText::needsEscaping(text));
        // What comes out is one line a terminal only displays.
        const QString out = TerminalText::escaped(text);
        for (const QChar c : out) {
            const char16_t u = c.unicode();
            QVERIFY2(u >= 0x20 && u != 0x7f && !(u >= 0x80 && u <= 0x9f) && !(u >= 0x202a && u <= 0x202e)
                         && !(u >= 0x2066 && u <= 0x2069),
                     qPrintable(QString::number(u, 16)));
        }
    }

    void leavesWhatPeopleWriteAlone_data()
    {
        QTest::addColumn<QString>("text");

        QTest::newRow("plain service name") << u"count-api"_qs;
        QTest::newRow("empty") << QString();
        QTest::newRow("accented letters") << u"café-zürich"_qs;
        QTest::newRow("CJK") << u"计数服务"_qs;
        QTest::newRow("right-to-left script without overrides") << u"שלום مرحبا"_qs;
        QTest::newRow("emoji (a surrogate pair)") << QString::fromUtf8("counter 😀🚀");
        QTest::newRow("no-break space and U+00A0 after C1") << u"a\u00a0b"_qs;
        QTest::newRow("left-to-right mark is not an override") << u"a\u200eb"_qs;
        QTest::newRow("backslashes and escapes written out") << uR"(C:\temp\x1b)"_qs;
        QTest::newRow("the arrow the printer uses") << u"upstream a → b"_qs;
    }

    void leavesWhatPeopleWriteAlone()
    {
        QFETCH(QString, text);
        QCOMPARE(TerminalText::escaped(text), text);
        QVERIFY(!TerminalText::needsEscaping(text));
        QCOMPARE(TerminalText::escapedLines(text), text);
    }

    void escapedLinesKeepsLineBreaksOnly_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");

        QTest::newRow("plan with a hostile job name")
            << u"Job: web\x1b[2J\n  + group \"g\"\n"_qs << u"Job: web\\x1b[2J\n  + group \"g\"\n"_qs;
        QTest::newRow("CRLF shows the CR") << u"a\r\nb"_qs << u"a\\r\nb"_qs;
        QTest::newRow("no trailing newline") << u"a\nb\u202e"_qs << u"a\nb\\u202e"_qs;
        QTest::newRow("empty lines kept") << u"\n\n"_qs << u"\n\n"_qs;
    }

    void escapedLinesKeepsLineBreaksOnly()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(TerminalText::escapedLines(text), expected);
    }
};

QTEST_GUILESS_MAIN(TestTerminalText)
#include "tst_terminaltext.moc"
