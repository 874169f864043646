#pragma once

#include <QByteArray>
#include <QString>

// Text that would act on a terminal, for the tests that put it into a
// design or a job and check what the real binary prints (tst_deploy,
// tst_labcli).
namespace meshtest {

// ESC [ 2 J clears the screen, OSC 52 (ESC ] 52 ; c ; … BEL) writes the
// clipboard, U+009B is CSI in its C1 form, U+202E reverses what follows
// (Trojan Source, CVE-2021-42574).
QString hostileText();

// hostileText() as the terminal must show it.
QString hostileEscaped();

// The first character in `bytes` a terminal would act on (a control other
// than a newline, C1 as UTF-8, a bidi control) or that is not UTF-8 (U+FFFD
// once decoded), as "a raw ESC at byte 3" or "a raw U+202e at 7"; empty when
// there is none.
QString rawControl(const QByteArray &bytes);

// `text` safe for the test log itself: each such character as <U+xxxx>.
QString visible(const QString &text);

} // namespace meshtest
