#pragma once

#include <QString>
#include <QStringList>

namespace mesh {

// Writes JSON text with the key order the caller chooses and a two-space
// indent, so generated files and project files read well and diff cleanly.
// QJsonDocument cannot do either (it sorts keys and indents by four).
//
// The writer is streaming: beginObject()/key()/value()/endObject(). Empty
// objects and arrays are written as `{}` and `[]`. The caller is trusted to
// nest correctly; a mismatch is a programming error (asserted in debug).
class JsonWriter final
{
public:
    enum class Style { Indented, Compact };
    explicit JsonWriter(Style style = Style::Indented);

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(QStringView name);

    JsonWriter &value(QStringView text);
    JsonWriter &value(const char *text) = delete; // say QStringLiteral/u""_s
    JsonWriter &value(qint64 number);
    JsonWriter &value(int number) { return value(qint64(number)); }
    JsonWriter &value(double number);
    JsonWriter &value(bool flag);
    JsonWriter &nullValue();
    JsonWriter &stringArray(const QStringList &items);

    // Shorthands for "key": value.
    template<class T>
    JsonWriter &field(QStringView name, const T &v)
    {
        return key(name).value(v);
    }

    // The text so far, with a final newline when indented.
    QString text() const;

    static QString quote(QStringView text);

private:
    void beforeValue();
    void newline();
    // Appends `text` as a JSON string to `out`: the writer's hot path, so no
    // temporary string per value.
    static void appendQuoted(QString &out, QStringView text);

    struct Level
    {
        bool isObject;
        bool empty;
    };
    QString m_out;
    QList<Level> m_stack;
    Style m_style;
    bool m_afterKey = false;
};

} // namespace mesh
