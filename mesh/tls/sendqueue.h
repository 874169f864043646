#pragma once

#include <QByteArray>

namespace mesh::tls {

// The bytes a non-blocking stream has accepted from its owner but could not
// hand on yet: to the kernel (proxy::PlainSocket) or to OpenSSL (TlsStream).
// Sent bytes are dropped from the front by moving an offset, never by
// shifting the rest; once everything is sent the memory is given back, so an
// idle connection holds no buffer (docs/targets.md, Resources). Inline: it
// sits on the proxy's data path.
class SendQueue final
{
public:
    qint64 size() const { return m_bytes.size() - m_sent; }
    // The first of the size() unsent bytes.
    const char *data() const { return m_bytes.constData() + m_sent; }

    void append(const char *data, qint64 size) { m_bytes.append(data, size); }
    // For an empty queue: holds exactly these bytes, without the spare
    // capacity append() would reserve for more.
    void assign(const char *data, qint64 size)
    {
        m_bytes = QByteArray(data, size);
        m_sent = 0;
    }
    // `n` of the front bytes went out.
    void consume(qint64 n)
    {
        m_sent += n;
        if (m_sent == m_bytes.size())
            clear();
    }
    // Drops everything and gives the memory back.
    void clear()
    {
        m_bytes = QByteArray();
        m_sent = 0;
    }

private:
    QByteArray m_bytes;
    qint64 m_sent = 0;
};

} // namespace mesh::tls
