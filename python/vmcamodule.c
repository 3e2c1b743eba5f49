// SPDX-License-Identifier: MIT
// python/vmcamodule.c: `import vmca`, a CPython extension over the same
// core: open a dump, evaluate C expressions to typed values that index
// and walk like Python objects, walk lists, and run any command for its
// JSON as Python objects.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

static PyObject *vmca_exc;

typedef struct {
	PyObject_HEAD struct vmca_session *s;
} DumpObject;

typedef struct {
	PyObject_HEAD DumpObject *dump;
	struct vmca_value v;
} ValueObject;

static PyTypeObject DumpType, ValueType;

// Raise vmca.Error with err's message (err is consumed); NULL.
static PyObject *raise(struct vmca_error *err)
{
	PyErr_SetString(vmca_exc, err->message);
	vmca_error_destroy(err);
	return NULL;
}

static DumpObject *open_dump(DumpObject *d)
{
	if (!d->s) {
		PyErr_SetString(vmca_exc, "the dump is closed");
		return NULL;
	}
	return d;
}

// A new Value owning v (moved).
static PyObject *value_new(DumpObject *d, struct vmca_value *v)
{
	ValueObject *o = PyObject_New(ValueObject, &ValueType);
	if (!o) {
		vmca_value_deinit(v);
		return NULL;
	}
	Py_INCREF(d);
	o->dump = d;
	o->v = *v;
	return (PyObject *)o;
}

/* Value. */

static void value_dealloc(ValueObject *o)
{
	vmca_value_deinit(&o->v);
	Py_XDECREF(o->dump);
	PyObject_Free(o);
}

static struct vmca_session *value_session(ValueObject *o)
{
	return open_dump(o->dump) ? o->dump->s : NULL;
}

static PyObject *value_getattr(ValueObject *o, PyObject *name)
{
	// Methods and attributes of the type first.
	PyObject *r = PyObject_GenericGetAttr((PyObject *)o, name);
	if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
		return r;
	PyErr_Clear();
	const char *n = PyUnicode_AsUTF8(name);
	struct vmca_session *s = value_session(o);
	if (!n || !s)
		return NULL;
	struct vmca_value m;
	struct vmca_error *err = vmca_value_member(s, &o->v, n, &m);
	if (err) {
		PyErr_SetString(PyExc_AttributeError, err->message);
		vmca_error_destroy(err);
		return NULL;
	}
	return value_new(o->dump, &m);
}

static PyObject *value_subscript(ValueObject *o, PyObject *key)
{
	struct vmca_session *s = value_session(o);
	if (!s)
		return NULL;
	if (PyUnicode_Check(key))
		return value_getattr(o, key);
	long long i = PyLong_AsLongLong(key);
	if (i == -1 && PyErr_Occurred())
		return NULL;
	struct vmca_value e;
	struct vmca_error *err = vmca_value_subscript(s, &o->v, i, &e);
	if (err)
		return raise(err);
	return value_new(o->dump, &e);
}

static PyObject *value_int(ValueObject *o)
{
	struct vmca_session *s = value_session(o);
	if (!s)
		return NULL;
	uint64_t u;
	struct vmca_error *err = vmca_value_u64(s, &o->v, &u);
	if (err)
		return raise(err);
	if (vmca_type_is_signed(s, o->v.type))
		return PyLong_FromLongLong((long long)u);
	return PyLong_FromUnsignedLongLong(u);
}

static int value_bool(ValueObject *o)
{
	PyObject *i = value_int(o);
	if (!i)
		return -1;
	int r = PyObject_IsTrue(i);
	Py_DECREF(i);
	return r;
}

static PyObject *value_string(ValueObject *o, PyObject *unused)
{
	(void)unused;
	struct vmca_session *s = value_session(o);
	if (!s)
		return NULL;
	char buf[4096];
	struct vmca_error *err = vmca_value_string(s, &o->v, buf, sizeof(buf));
	if (err)
		return raise(err);
	return PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strlen(buf), "replace");
}

static PyObject *value_deref(ValueObject *o, PyObject *unused)
{
	(void)unused;
	struct vmca_session *s = value_session(o);
	if (!s)
		return NULL;
	struct vmca_value d;
	struct vmca_error *err = vmca_value_deref(s, &o->v, &d);
	if (err)
		return raise(err);
	return value_new(o->dump, &d);
}

static PyObject *value_type_name(ValueObject *o, void *closure)
{
	(void)closure;
	struct vmca_session *s = value_session(o);
	if (!s)
		return NULL;
	char buf[512];
	vmca_type_name(s, o->v.type, NULL, buf, sizeof(buf));
	return PyUnicode_FromString(buf);
}

static PyObject *value_address(ValueObject *o, void *closure)
{
	(void)closure;
	if (o->v.kind != VMCA_VALUE_REFERENCE)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(o->v.address);
}

static PyObject *value_repr(ValueObject *o)
{
	struct vmca_session *s = value_session(o);
	if (!s)
		return NULL;
	char type[512];
	vmca_type_name(s, o->v.type, NULL, type, sizeof(type));
	char text[600];
	if (o->v.kind == VMCA_VALUE_REFERENCE)
		snprintf(text, sizeof(text), "vmca.Value(%s at %#" PRIx64 ")",
			 type, o->v.address);
	else
		snprintf(text, sizeof(text), "vmca.Value(%s)", type);
	return PyUnicode_FromString(text);
}

static PyMethodDef value_methods[] = {
	{"string", (PyCFunction)value_string, METH_NOARGS,
	 "A char array or char pointer as str."},
	{"deref", (PyCFunction)value_deref, METH_NOARGS,
	 "What a pointer points to."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef value_getset[] = {
	{"type", (getter)value_type_name, NULL, "The C type, spelled.", NULL},
	{"address", (getter)value_address, NULL,
	 "Where it is in the dump (None for a computed value).", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyNumberMethods value_number = {
	.nb_int = (unaryfunc)value_int,
	.nb_index = (unaryfunc)value_int,
	.nb_bool = (inquiry)value_bool,
};

static PyMappingMethods value_mapping = {
	.mp_subscript = (binaryfunc)value_subscript,
};

static PyTypeObject ValueType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vmca.Value",
	.tp_basicsize = sizeof(ValueObject),
	.tp_dealloc = (destructor)value_dealloc,
	.tp_repr = (reprfunc)value_repr,
	.tp_getattro = (getattrofunc)value_getattr,
	.tp_as_number = &value_number,
	.tp_as_mapping = &value_mapping,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A typed value of the dump: .member, [index], int(), "
		  ".string(), .deref(), .type, .address.",
	.tp_methods = value_methods,
	.tp_getset = value_getset,
};

/* Dump. */

static void dump_dealloc(DumpObject *d)
{
	vmca_session_destroy(d->s);
	PyObject_Free(d);
}

static PyObject *dump_close(DumpObject *d, PyObject *unused)
{
	(void)unused;
	vmca_session_destroy(d->s);
	d->s = NULL;
	Py_RETURN_NONE;
}

static PyObject *dump_eval(DumpObject *d, PyObject *args)
{
	const char *text;
	if (!PyArg_ParseTuple(args, "s", &text) || !open_dump(d))
		return NULL;
	struct vmca_value v;
	struct vmca_error *err = vmca_expr_eval(d->s, text, &v);
	if (err)
		return raise(err);
	return value_new(d, &v);
}

struct list_walk {
	DumpObject *d;
	PyObject *list;
	uint32_t type;
	uint64_t offset;
};

static struct vmca_error *list_add(struct vmca_session *s,
				   const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	struct list_walk *w = arg;
	struct vmca_value v;
	vmca_value_init_reference(&v, w->type, e->address - w->offset);
	PyObject *o = value_new(w->d, &v);
	if (!o || PyList_Append(w->list, o) < 0) {
		Py_XDECREF(o);
		return &vmca_enomem;
	}
	Py_DECREF(o);
	return NULL;
}

// list(head, type, member): the objects of type linked by their member
// (a list_head) on the list headed at head (an expression).
static PyObject *dump_list(DumpObject *d, PyObject *args)
{
	const char *head, *type, *member;
	if (!PyArg_ParseTuple(args, "sss", &head, &type, &member) ||
	    !open_dump(d))
		return NULL;
	struct vmca_value h;
	struct vmca_error *err = vmca_expr_eval(d->s, head, &h);
	if (err)
		return raise(err);
	uint64_t at = h.address;
	bool is_ref = h.kind == VMCA_VALUE_REFERENCE;
	vmca_value_deinit(&h);
	if (!is_ref) {
		PyErr_Format(vmca_exc, "%s: not an object in the dump", head);
		return NULL;
	}
	struct list_walk w = {.d = d};
	if ((err = vmca_type_find(d->s, type, &w.type)) ||
	    (err = vmca_type_member_offset(d->s, type, member, &w.offset)))
		return raise(err);
	w.list = PyList_New(0);
	if (!w.list)
		return NULL;
	err = vmca_walk_list(d->s, at, true, vmca_walk_default_max(d->s),
			     list_add, &w);
	if (err) {
		Py_DECREF(w.list);
		if (PyErr_Occurred()) {
			vmca_error_destroy(err);
			return NULL;
		}
		return raise(err);
	}
	return w.list;
}

// command(name, *args): the command's JSON as Python objects.
static PyObject *dump_command(DumpObject *d, PyObject *args)
{
	Py_ssize_t n = PyTuple_Size(args);
	if (n < 1) {
		PyErr_SetString(PyExc_TypeError, "command(name, *args)");
		return NULL;
	}
	if (!open_dump(d))
		return NULL;
	char **argv = calloc((size_t)n + 1, sizeof(char *));
	if (!argv)
		return PyErr_NoMemory();
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *a = PyTuple_GetItem(args, i);
		const char *t = a ? PyUnicode_AsUTF8(a) : NULL;
		if (!t) {
			free(argv);
			return NULL;
		}
		argv[i] = (char *)t;
	}
	const struct vmca_plugin *p = vmca_plugin_find(argv[0]);
	if (!p) {
		PyErr_Format(vmca_exc, "unknown command '%s'", argv[0]);
		free(argv);
		return NULL;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct vmca_out *out = vmca_out_create(true);
	struct vmca_error *err = !mem || !out ? &vmca_enomem : NULL;
	if (!err)
		err = p->run(d->s, out, (int)n, argv);
	if (!err)
		err = vmca_out_finish(out, mem);
	vmca_out_destroy(out);
	if (mem)
		fclose(mem);
	free(argv);
	if (err) {
		free(text);
		return raise(err);
	}
	PyObject *json = PyImport_ImportModule("json");
	PyObject *r =
		json ? PyObject_CallMethod(json, "loads", "s", text) : NULL;
	Py_XDECREF(json);
	free(text);
	return r;
}

static PyMethodDef dump_methods[] = {
	{"eval", (PyCFunction)dump_eval, METH_VARARGS,
	 "eval(expr): a C expression's typed value (vmca.Value)."},
	{"list", (PyCFunction)dump_list, METH_VARARGS,
	 "list(head, type, member): the objects on a list_head list."},
	{"command", (PyCFunction)dump_command, METH_VARARGS,
	 "command(name, *args): a command's JSON as Python objects."},
	{"close", (PyCFunction)dump_close, METH_NOARGS, "Close the dump."},
	{NULL, NULL, 0, NULL},
};

static PyTypeObject DumpType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vmca.Dump",
	.tp_basicsize = sizeof(DumpObject),
	.tp_dealloc = (destructor)dump_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "An open dump (vmca.open()).",
	.tp_methods = dump_methods,
};

// open(vmcore, vmlinux=None, modules=(), cache_dir=None, force=False,
//      btf=False)
static PyObject *vmca_open(PyObject *self, PyObject *args, PyObject *kw)
{
	(void)self;
	static char *names[] = {"vmcore", "vmlinux", "modules", "cache_dir",
				"force",  "btf",     NULL};
	const char *vmcore, *vmlinux = NULL, *cache_dir = NULL;
	PyObject *modules = NULL;
	int force = 0, btf = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|zOzpp", names, &vmcore,
					 &vmlinux, &modules, &cache_dir, &force,
					 &btf))
		return NULL;
	const char *dirs[64];
	size_t ndirs = 0;
	if (modules && modules != Py_None) {
		PyObject *seq = PySequence_Fast(modules, "modules: a sequence");
		if (!seq)
			return NULL;
		for (Py_ssize_t i = 0;
		     i < PySequence_Fast_GET_SIZE(seq) && ndirs < 64; i++) {
			const char *t = PyUnicode_AsUTF8(
				PySequence_Fast_GET_ITEM(seq, i));
			if (!t) {
				Py_DECREF(seq);
				return NULL;
			}
			dirs[ndirs++] = t;
		}
		Py_DECREF(seq);
	}
	struct vmca_session_options opts = {
		.vmcore_path = vmcore,
		.vmlinux_path = vmlinux,
		.module_dirs = dirs,
		.nmodule_dirs = ndirs,
		.is_forced = force,
		.cache_dir = cache_dir,
		.is_btf = btf,
	};
	struct vmca_session *s;
	struct vmca_error *err;
	Py_BEGIN_ALLOW_THREADS err = vmca_session_create(&opts, &s);
	Py_END_ALLOW_THREADS if (err) return raise(err);
	DumpObject *d = PyObject_New(DumpObject, &DumpType);
	if (!d) {
		vmca_session_destroy(s);
		return NULL;
	}
	d->s = s;
	return (PyObject *)d;
}

static PyMethodDef module_methods[] = {
	{"open", (PyCFunction)(void (*)(void))vmca_open,
	 METH_VARARGS | METH_KEYWORDS,
	 "open(vmcore, vmlinux=None, modules=(), cache_dir=None, "
	 "force=False, btf=False): a Dump."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT,
	"vmca",
	"vmca: offline Linux kernel crash dump analysis.",
	-1,
	module_methods,
	NULL,
	NULL,
	NULL,
	NULL,
};

PyMODINIT_FUNC PyInit_vmca(void);
PyMODINIT_FUNC PyInit_vmca(void)
{
	if (PyType_Ready(&DumpType) < 0 || PyType_Ready(&ValueType) < 0)
		return NULL;
	PyObject *m = PyModule_Create(&module);
	if (!m)
		return NULL;
	vmca_exc = PyErr_NewException("vmca.Error", NULL, NULL);
	Py_XINCREF(vmca_exc);
	if (PyModule_AddObject(m, "Error", vmca_exc) < 0) {
		Py_XDECREF(vmca_exc);
		Py_DECREF(m);
		return NULL;
	}
	Py_INCREF(&DumpType);
	PyModule_AddObject(m, "Dump", (PyObject *)&DumpType);
	Py_INCREF(&ValueType);
	PyModule_AddObject(m, "Value", (PyObject *)&ValueType);
	return m;
}
