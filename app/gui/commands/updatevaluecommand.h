#pragma once

#include "commandid.h"

#include <QString>
#include <QUndoCommand>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// The undo step shared by the inspector's edits of one model value (a
// service, an arrow): it holds the value before and after, and writes one or
// the other back through apply(). Consecutive commands on the same value
// (same `id` member) with the same non-empty `field` merge into one step, so
// typing a name is one step, not one per key; an empty field never merges.
// A command whose after equals its before is obsolete and leaves the stack.
//
// A subclass reads the value before from the model in its constructor
// (setValueBefore(); none there makes the command obsolete), sets its text, and
// writes a value back in apply(). `Id` tells QUndoStack which commands may
// merge, so one Id belongs to one subclass.
template<class Value, CommandId Id>
class UpdateValueCommand : public QUndoCommand
{
public:
    int id() const override { return int(Id); }

    bool mergeWith(const QUndoCommand *other) override
    {
        // QUndoStack asks only commands of the same id(), hence of this type.
        const auto *update = static_cast<const UpdateValueCommand *>(other);
        if (m_field.isEmpty() || update->m_field != m_field || update->m_after.id != m_after.id)
            return false;
        m_after = update->m_after;
        setObsolete(m_after == m_before);
        return true;
    }

    void redo() override
    {
        // A no-op edit (the inspector re-committing an unchanged field) must
        // not leave an empty step on the stack.
        if (m_before == m_after)
            setObsolete(true);
        if (!isObsolete())
            apply(m_after);
    }

    void undo() override { apply(m_before); }

protected:
    UpdateValueCommand(mesh::model::TopologyModel &model, Value after, QString field, QUndoCommand *parent)
        : QUndoCommand(parent)
        , m_model(model)
        , m_after(std::move(after))
        , m_field(std::move(field))
    {
    }

    // The model's value before the edit; nullptr (no such value) makes the
    // command obsolete.
    void setValueBefore(const Value *before)
    {
        if (before)
            m_before = *before;
        else
            setObsolete(true);
    }

    // Writes `value` into the model.
    virtual void apply(const Value &value) = 0;

    mesh::model::TopologyModel &model() const { return m_model; }
    const Value &valueBefore() const { return m_before; }
    const Value &valueAfter() const { return m_after; }
    const QString &mergeField() const { return m_field; }

private:
    mesh::model::TopologyModel &m_model;
    Value m_before;
    Value m_after;
    QString m_field;
};

} // namespace meshpad::gui
